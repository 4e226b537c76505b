"""deploy/ (issue 20): the balancer's configuration is valid nginx, and holds the same body caps
as the app (core/uploads.py), so that neither refuses what the other accepts."""

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from shuangsuiji.core import uploads

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX_CONF = DEPLOY / "nginx" / "shuangsuiji.conf"


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sjsj.example.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    crt, pem = tmp / "fullchain.pem", tmp / "privkey.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return crt, pem


def test_the_nginx_configuration_passes_nginx_t(tmp_path):
    # scripts/test installs Debian's nginx-light: a missing nginx fails here, never skips
    assert shutil.which("nginx"), (
        "缺少 nginx：执行 apt-get install nginx-light（scripts/test 以 root 运行时自动安装）"
    )
    crt, pem = _self_signed(tmp_path)
    conf = NGINX_CONF.read_text(encoding="utf-8")
    conf = conf.replace("/etc/ssl/shuangsuiji/fullchain.pem", str(crt))
    conf = conf.replace("/etc/ssl/shuangsuiji/privkey.pem", str(pem))
    conf = conf.replace("/var/log/nginx/", f"{tmp_path}/")
    conf = conf.replace("/var/cache/nginx/", f"{tmp_path}/")
    (tmp_path / "shuangsuiji.conf").write_text(conf, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"events {{}}\nhttp {{\n  access_log off;\n  include {tmp_path}/shuangsuiji.conf;\n}}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [
            "nginx",
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "syntax is ok" in run.stderr


def _mb(value: str) -> int:
    n = re.fullmatch(r"(\d+)m", value)
    assert n, value
    return int(n.group(1)) * 1024 * 1024


def test_the_balancers_body_caps_match_the_apps():
    conf = NGINX_CONF.read_text(encoding="utf-8")
    server_cap = re.search(r"^    client_max_body_size (\w+);", conf, re.M).group(1)
    import_cap = re.search(r"import/\$ \{\s+client_max_body_size (\w+);", conf).group(1)
    attachment_cap = re.search(r"\^/inspection/s/\[0-9\]\+/\$ \{\s+client_max_body_size (\w+);", conf).group(
        1
    )
    # each at least the app's cap (the app answers the refusal in Chinese), and not far above it
    for nginx, kind in (
        (server_cap, uploads.BodyKind.FORM),
        (import_cap, uploads.BodyKind.IMPORT),
        (attachment_cap, uploads.BodyKind.ATTACHMENT),
    ):
        app = uploads.body_cap(kind)
        assert app <= _mb(nginx) <= app + 1024 * 1024, (kind, nginx, app)
    # the locations are where the app takes those bodies
    import_location = re.search(r"location ~ (\S+) \{\s+client_max_body_size 513m", conf).group(1)
    attachment_location = re.search(r"location ~ (\S+) \{\s+client_max_body_size 11m", conf).group(1)
    for url in ("/directory/targets/import/", "/directory/inspectors/import/", "/directory/items/import/"):
        assert uploads.body_kind(url) == uploads.BodyKind.IMPORT
        assert re.search(import_location, url)
    assert uploads.body_kind("/inspection/s/12/") == uploads.BodyKind.ATTACHMENT
    assert re.search(attachment_location, "/inspection/s/12/")
    assert {name for name, kind in uploads.BODY_KINDS.items()} == {
        "directory:target_import",
        "directory:inspector_import",
        "directory:item_import",
        "inspection:target",
    }, "a new upload URL: give it its nginx location"


def test_the_balancer_keeps_metrics_private_and_passes_the_client_and_request_id():
    conf = NGINX_CONF.read_text(encoding="utf-8")
    assert re.search(r"location = /metrics \{\s+return 404;", conf)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert conf.count("Strict-Transport-Security") == conf.count("add_header Strict") >= 2


def test_the_balancer_caches_the_public_portal_but_never_the_selection_pages_or_a_session():
    conf = NGINX_CONF.read_text(encoding="utf-8")
    public = re.search(r"location /public/ \{(.*?)\n    \}", conf, re.S).group(1)
    assert "proxy_cache shuangsuiji_public;" in public
    assert "proxy_cache_revalidate on;" in public  # a stale copy: If-None-Match / If-Modified-Since
    assert "proxy_cache_bypass $cookie_sessionid;" in public and "proxy_no_cache $cookie_sessionid;" in public
    assert "proxy_ignore_headers" not in conf  # the app's Cache-Control (private, no-store) is obeyed
    selection = re.search(r"location \^~ /public/selection/ \{(.*?)\n    \}", conf, re.S).group(1)
    assert "proxy_cache" not in selection
    assert re.search(r"^proxy_cache_path \S+ .*keys_zone=shuangsuiji_public:", conf, re.M)
