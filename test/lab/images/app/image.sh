# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/app:* — a small Python web app standing in for the operator's app (port 8000):
# reads DATABASE_URL and REDIS_URL as stack-wizard passes them, answers /health (200 only when MySQL
# and Redis both answer) and endpoints the e2e tests use to write and verify data (see app.py).
# One rootfs, several tags that differ only by environment:
#   app:ok      healthy when its backends are;   app:v2   the same, reporting version 2 (updates)
#   app:broken  /health always 500;              app:crash exits right after start
# Sourced by build-images.sh.
PACKAGES=(python3 python3-pymysql python3-redis)
TAGS=(stack-wizard-lab/app:ok stack-wizard-lab/app:v2 stack-wizard-lab/app:broken stack-wizard-lab/app:crash)
CHANGES=(
  'CMD ["python3", "/app/app.py"]'
  'WORKDIR /app'
  'EXPOSE 8000'
  'ENV PYTHONUNBUFFERED=1 APP_VERSION=1 APP_MODE=ok'
)
TAG_CHANGES=(
  [stack-wizard-lab/app:v2]='ENV APP_VERSION=2'
  [stack-wizard-lab/app:broken]='ENV APP_MODE=broken'
  [stack-wizard-lab/app:crash]='ENV APP_MODE=crash'
)

customize() {
  local root=$1
  mkdir -p "$root/data"
  # Fail the build, not the first test, on a syntax error or a missing module.
  chroot "$root" python3 -c 'import ast, pymysql, redis; ast.parse(open("/app/app.py").read())'
}
