#!/usr/bin/env bash
# A backup and a restore, done for real as docs/deploy.md says, on throwaway databases:
#
#   bash bench/backup_restore.sh            (make bench runs it too)
#
# 1. builds a source database gcm_backup_<random> on the PostgreSQL server of BENCH_POSTGRES_URL
#    (default postgres://postgres@127.0.0.1:5432/postgres): migrate, loaddemo, and a supporting
#    document uploaded to Jordan's draft through the portal's own service (a file in MEDIA_ROOT);
# 2. backs it up: pg_dump -Fc, and the media files as a tar archive;
# 3. restores both elsewhere: a new database gcm_restore_<random> (pg_restore --no-owner
#    --exit-on-error) and a new MEDIA_ROOT;
# 4. checks the restore: no migration pending, the same rows (count and checksum) in every
#    table, the document's bytes readable through the restored database and storage;
# 5. drops both databases and removes the files, whatever happened.
#
# It prints the times and sizes, and BENCH lines for bench/run_all.py. Exit 0 only if the
# restore matches.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
case "$SERVER" in
  postgres://*@127.0.0.1[:/]* | postgres://*@localhost[:/]* | postgresql://*@127.0.0.1[:/]*) ;;
  *) echo "BENCH_POSTGRES_URL must point at this machine (127.0.0.1)" >&2; exit 2 ;;
esac
BASE="${SERVER%/*}"
SUFFIX="$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SOURCE="gcm_backup_${SUFFIX}"
TARGET="gcm_restore_${SUFFIX}"
WORK="$(mktemp -d /tmp/gcm-backup-XXXXXX)"
PY=.venv/bin/python

cleanup() {
  for db in "$SOURCE" "$TARGET"; do
    psql -q "$SERVER" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Settings as in production (DEBUG off), pointing at the throwaway database and media.
portal() {  # portal DB MEDIA manage.py-arguments...
  local db="$1" media="$2"
  shift 2
  DEBUG=0 SECRET_KEY="backup-test-$SUFFIX" ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING \
    DATABASE_URL="$BASE/$db" MEDIA_ROOT="$media" "$PY" manage.py "$@"
}

echo "== 1. source database $SOURCE, media in $WORK/media"
psql -q "$SERVER" -c "CREATE DATABASE \"$SOURCE\""
portal "$SOURCE" "$WORK/media" migrate --noinput -v 0
portal "$SOURCE" "$WORK/media" loaddemo -v 0
portal "$SOURCE" "$WORK/media" shell --no-imports -c '
import io
from accounts.models import User
from questionnaire import services
from questionnaire.models import Submission
jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
from pypdf import PdfWriter
writer = PdfWriter()
writer.add_blank_page(width=595, height=842)
pdf = io.BytesIO()
writer.write(pdf)  # a genuine PDF: uploads are parsed as PDFs
services.attachment_add(submission=jordan, file=pdf, name="national-plan.pdf",
                        user=User.objects.get(username="jordan"), description="Backup test")
'

echo "== 2. backup: pg_dump -Fc, and the media files"
t0=$(now)
pg_dump -Fc --no-owner -d "$BASE/$SOURCE" -f "$WORK/gcmreview.dump"
t1=$(now)
tar -C "$WORK/media" -czf "$WORK/media.tar.gz" .
t2=$(now)
dump_kb=$(( $(stat -c %s "$WORK/gcmreview.dump") / 1024 ))
media_kb=$(( $(stat -c %s "$WORK/media.tar.gz") / 1024 ))
echo "   database dump: ${dump_kb} KiB in $(elapsed "$t0" "$t1") s; media archive: ${media_kb} KiB"

echo "== 3. restore into $TARGET and $WORK/restored-media"
t3=$(now)
psql -q "$SERVER" -c "CREATE DATABASE \"$TARGET\""
pg_restore --no-owner --exit-on-error -d "$BASE/$TARGET" "$WORK/gcmreview.dump"
mkdir -p "$WORK/restored-media"
tar -C "$WORK/restored-media" -xzf "$WORK/media.tar.gz"
t4=$(now)
echo "   restored in $(elapsed "$t3" "$t4") s"

echo "== 4. checks"
portal "$TARGET" "$WORK/restored-media" migrate --check --noinput -v 0
echo "   no migration pending"
# Every table of the public schema on both sides: its row count and a checksum of its rows.
count_rows() {
  psql -qAt "$BASE/$1" -c "
    SELECT format('SELECT %L || '' '' || count(*) || '' '' || '
                  'md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) '
                  'FROM %I t;', tablename, tablename)
    FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" | psql -qAt "$BASE/$1"
}
count_rows "$SOURCE" >"$WORK/source.counts"
count_rows "$TARGET" >"$WORK/target.counts"
tables=$(wc -l <"$WORK/source.counts")
rows=$(awk '{ s += $2 } END { print s }' "$WORK/source.counts")
if ! diff -u "$WORK/source.counts" "$WORK/target.counts"; then
  echo "   MISMATCH: the restored tables differ (above)" >&2
  mismatches=$(diff "$WORK/source.counts" "$WORK/target.counts" | grep -c '^>' || true)
else
  mismatches=0
  echo "   the same rows (count and checksum) in all $tables tables ($rows rows)"
fi
portal "$TARGET" "$WORK/restored-media" shell --no-imports -c '
from questionnaire.models import Attachment
a = Attachment.objects.get(original_name="national-plan.pdf")
with a.file.open("rb") as f:
    data = f.read()
assert data.startswith(b"%PDF-"), data[:20]
print(f"   the supporting document {a.file.name} reads back from the restored files ({len(data)} bytes)")
'

echo
echo "BENCH name=backup.dump_seconds value=$(elapsed "$t0" "$t1") unit=s"
echo "BENCH name=backup.dump_size value=${dump_kb} unit=KiB"
echo "BENCH name=backup.restore_seconds value=$(elapsed "$t3" "$t4") unit=s"
echo "BENCH name=backup.tables_compared value=${tables} unit=tables"
echo "BENCH name=backup.tables_differing value=${mismatches} unit=tables"
[ "$mismatches" -eq 0 ]
