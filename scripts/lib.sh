# Shared by scripts/demo and scripts/test: the project's own virtualenv, pinned packages,
# and a secret key kept outside the repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ensure_venv() {  # ensure_venv requirements-file
  local req=$1
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || { echo "需要 Python 3.11 或更高版本（当前：$(python3 --version)）" >&2; exit 1; }
  [ -x .venv/bin/python ] || python3 -m venv .venv
  local want stamp=.venv/.installed-$(basename "$req")
  want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== 安装依赖（$req）"
    .venv/bin/pip install -q --disable-pip-version-check -r "$req"
    echo "$want" >"$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}

ensure_secret_key() {  # a per-checkout secret, made once, never committed
  mkdir -p data
  [ -s data/secret_key ] || python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >data/secret_key
  chmod 600 data/secret_key
  export SHUANGSUIJI_SECRET_KEY_FILE="$ROOT/data/secret_key"
}

ensure_audit_key() {  # the audit log's HMAC key, apart from the secret key and from the database
  mkdir -p data
  [ -s data/audit_key ] || python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >data/audit_key
  chmod 600 data/audit_key
  export SHUANGSUIJI_AUDIT_KEY_FILE="$ROOT/data/audit_key"
}
