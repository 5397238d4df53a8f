"""--download-modules against a local 127.0.0.1 server that speaks the Terraform module registry protocol
(discovery, versions, download -> X-Terraform-Get) and serves git-host style archives. The archives are built
here from public module files kept in tests/fixtures/terraform-real (cloudposse/terraform-null-label,
terraform-aws-modules/terraform-aws-rds-aurora; see their SOURCE files)."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stackcost.terraform.build import import_terraform
from stackcost.terraform.download import Downloader, allowed

REAL = Path(__file__).parent / "fixtures" / "terraform-real"


def _tar(files: dict[str, Path], top: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, src in files.items():
            data = src.read_bytes()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class _Server:
    def __init__(self) -> None:
        label = REAL / "cloudposse-redis/examples/complete/.terraform/modules/this"
        aurora = REAL / "tam-aurora-serverless"
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/.well-known/terraform.json": (200, {}, json.dumps({"modules.v1": "/v1/modules/"}).encode()),
            "/v1/modules/cloudposse/label/null/versions": (200, {}, json.dumps({"modules": [{"versions": [
                {"version": "0.24.1"}, {"version": "0.25.0"}, {"version": "1.0.0-rc1"}]}]}).encode()),
            "/v1/modules/cloudposse/label/null/0.25.0/download": (204, {
                "X-Terraform-Get": "/archives/terraform-null-label-0.25.0.tar.gz"}, b""),
            "/archives/terraform-null-label-0.25.0.tar.gz": (200, {}, _tar(
                {f: label / f for f in ("main.tf", "variables.tf", "outputs.tf")}, "terraform-null-label-0.25.0")),
            "/terraform-aws-modules/terraform-aws-rds-aurora/archive/v9.0.0.tar.gz": (200, {}, _tar(
                {f: aurora / f for f in ("main.tf", "variables.tf", "outputs.tf")}, "terraform-aws-rds-aurora-9.0.0")),
        }
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port from the OS
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.stop()


def _redis_tree(tmp: Path, host: str) -> Path:
    """The cloudposse example without its .terraform, its null-label source pointed at the local registry."""
    dst = tmp / "redis"
    shutil.copytree(REAL / "cloudposse-redis", dst, ignore=shutil.ignore_patterns(".terraform", "SOURCE"))
    for ctx in (dst / "context.tf", dst / "examples/complete/context.tf"):
        ctx.write_text(ctx.read_text().replace('"cloudposse/label/null"', f'"{host}/cloudposse/label/null"'))
    return dst / "examples/complete"


def test_registry_protocol_and_cache(server: _Server, tmp_path: Path) -> None:
    root = _redis_tree(tmp_path, server.host)
    tfvars = [root / "fixtures.us-east-2.tfvars"]
    offline = import_terraform(root, tfvars)  # no --download-modules: nothing fetched, module.this unresolved
    assert server.hits == [] and "elasticache" not in offline.data
    assert any(i.address == "module.this" and i.status == "unresolved" for i in offline.instances)
    cache = tmp_path / "cache"
    imp = import_terraform(root, tfvars, finder=Downloader(cache).find)
    assert imp.data["elasticache"] == {"engine": "redis", "node_type": "cache.m6g.large", "nodes": 1}
    # version = "0.25.0" picks 0.25.0 of the three offered; discovery first, then versions, download, archive
    assert server.hits[:4] == ["/.well-known/terraform.json", "/v1/modules/cloudposse/label/null/versions",
                               "/v1/modules/cloudposse/label/null/0.25.0/download",
                               "/archives/terraform-null-label-0.25.0.tar.gz"]
    archives = [h for h in server.hits if h.startswith("/archives/")]
    assert len(archives) == 1  # the second module.this (inside module.redis) came from the cache
    server.stop()
    again = import_terraform(root, tfvars, finder=Downloader(cache, timeout=2).find)  # server gone: cache only
    assert again.data["elasticache"] == imp.data["elasticache"]


def test_git_archive_source(server: _Server, tmp_path: Path) -> None:
    dst = tmp_path / "aurora"
    shutil.copytree(REAL / "tam-aurora-serverless/examples/serverless", dst)
    main = dst / "main.tf"
    url = f"git::http://{server.host}/terraform-aws-modules/terraform-aws-rds-aurora.git?ref=v9.0.0"
    main.write_text(main.read_text().replace('source = "../../"', f'source = "{url}"'))
    imp = import_terraform(dst, [], finder=Downloader(tmp_path / "cache").find)
    assert imp.data["aurora"]["instances"] == [{"instance_class": "db.serverless", "count": 2}]
    missing = import_terraform(dst, [], finder=Downloader(tmp_path / "other", timeout=2).find)
    assert "aurora" in missing.data  # the same archive again (fresh cache): fetched again
    server.routes.clear()
    gone = import_terraform(dst, [], finder=Downloader(tmp_path / "third", timeout=2).find)
    mod = next(i for i in gone.instances if i.address == "module.aurora_mysql")
    assert mod.status == "unresolved" and "HTTP 404" in mod.reason and "aurora" not in gone.data


@pytest.mark.parametrize(("version", "constraint", "ok"), [
    ("0.25.0", "0.25.0", True), ("0.25.1", "~> 0.25.0", True), ("0.26.0", "~> 0.25.0", False),
    ("1.9.0", "~> 1.2", True), ("2.0.0", "~> 1.2", False), ("5.1.0", ">= 5.0, < 6.0", True),
    ("6.0.0", ">= 5.0, < 6.0", False), ("1.0.0-rc1", None, False),
])
def test_version_constraints(version: str, constraint: str | None, ok: bool) -> None:
    assert allowed(version, constraint) is ok


def test_cli_download_modules(server: _Server, tmp_path: Path) -> None:
    import subprocess
    import sys

    root = _redis_tree(tmp_path, server.host)
    out = tmp_path / "r.yaml"
    cmd = [sys.executable, "-m", "stackcost", "import", "terraform", str(root), "--var-file",
           str(root / "fixtures.us-east-2.tfvars"), "-o", str(out), "--format", "json", "--download-modules",
           "--module-cache", str(tmp_path / "cache")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    states = {x["address"]: x["status"] for x in data["resources"]}
    assert states["module.redis.aws_elasticache_replication_group.default[0]"] == "priced"
    assert (tmp_path / "cache").is_dir() and "node_type: cache.m6g.large" in out.read_text()


def test_registry_redirect_to_a_git_source(server: _Server, tmp_path: Path) -> None:
    """The public registry answers a GitHub-hosted module's download with a git:: address (X-Terraform-Get)."""
    base = "/v1/modules/terraform-aws-modules/rds-aurora/aws"
    server.routes[f"{base}/versions"] = (200, {}, json.dumps({"modules": [{"versions": [
        {"version": "8.5.0"}, {"version": "9.0.0"}, {"version": "10.0.0"}]}]}).encode())
    server.routes[f"{base}/9.0.0/download"] = (204, {"X-Terraform-Get": f"git::http://{server.host}/"
                                                     "terraform-aws-modules/terraform-aws-rds-aurora?ref=v9.0.0"}, b"")
    dst = tmp_path / "aurora"
    shutil.copytree(REAL / "tam-aurora-serverless/examples/serverless", dst)
    main = dst / "main.tf"
    main.write_text(main.read_text().replace('source = "../../"', f'source  = "{server.host}/terraform-aws-modules/'
                                             'rds-aurora/aws"\n  version = "~> 9.0"'))
    imp = import_terraform(dst, [], finder=Downloader(tmp_path / "cache").find)
    # "~> 9.0" allows 9.x only: 9.0.0 of the three, then the git archive of tag v9.0.0
    assert f"{base}/9.0.0/download" in server.hits
    assert "/terraform-aws-modules/terraform-aws-rds-aurora/archive/v9.0.0.tar.gz" in server.hits
    assert imp.data["aurora"]["instances"] == [{"instance_class": "db.serverless", "count": 2}]
