from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django's admin with the portal's site (gcmreview/admin_site.py): its index groups the
    technical tables under "System", for superusers only."""

    default_site = "gcmreview.admin_site.PortalAdminSite"
