"""--download-modules: fetch registry and git modules into a cache directory, as `terraform init` does.

Registry sources (`namespace/name/provider`, optionally `host/namespace/name/provider` and `//subdir`) follow the
Terraform module registry protocol: service discovery (`/.well-known/terraform.json`, key `modules.v1`), the
version list (`<base>/<ns>/<name>/<provider>/versions`, the newest one the `version` constraint allows), and the
download endpoint, whose `X-Terraform-Get` header names the archive. Archives are .tar.gz / .tgz / .zip over
https (a `git::https://host/org/repo?ref=R` source is fetched as the host's `/org/repo/archive/R.tar.gz`
snapshot, as GitHub and GitLab serve it: no git client needed). Plain http only for 127.0.0.1 / localhost.

A module that cannot be fetched leaves that module unresolved with the reason; it never fails the import. Nothing
is fetched without --download-modules, and a cached module is not fetched again."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

_LOCAL_HOSTS = ("127.0.0.1", "localhost")
_MAX_BYTES = 50 * 1024 * 1024


class _Fail(Exception):
    pass


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", v.split("-")[0])[:3])


def allowed(version: str, constraint: str | None) -> bool:
    """Terraform version constraints: =, !=, >, >=, <, <=, ~> (pessimistic), comma-separated."""
    if not constraint:
        return "-" not in version  # no pre-releases unless asked for
    v = _version_key(version)
    for part in constraint.split(","):
        m = re.fullmatch(r"\s*(=|!=|>=|<=|>|<|~>)?\s*v?([0-9][0-9A-Za-z.\-]*)\s*", part)
        if not m:
            raise _Fail(f"version constraint {constraint!r} not understood")
        op, want = m.group(1) or "=", m.group(2)
        w = _version_key(want)
        ok = {"=": v == w, "!=": v != w, ">": v > w, ">=": v >= w, "<": v < w, "<=": v <= w}.get(op)
        if op == "~>":
            n = len(want.split("."))
            upper = (*w[: max(1, n - 1) - 1], w[max(1, n - 1) - 1] + 1) if n > 1 else (w[0] + 1,)
            ok = v >= w and v[: len(upper)] < upper
        if not ok:
            return False
    return True


class Downloader:
    def __init__(self, cache: Path, default_host: str = "registry.terraform.io", timeout: float = 30) -> None:
        self.cache = cache
        self.default_host = default_host
        self.timeout = timeout

    def find(self, source: str, version: str | None, key: str, where: str) -> Path | str:
        try:
            return self._find(source, version)
        except _Fail as exc:
            return f"--download-modules: {source}: {exc}"

    # ----------------------------------------------------------------------------------------------

    def _scheme(self, host: str) -> str:
        return "http" if host.split(":")[0] in _LOCAL_HOSTS else "https"

    def _get(self, url: str) -> tuple[bytes, dict[str, str]]:
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("https", "http") or (parsed.scheme == "http" and
                                                       parsed.hostname not in _LOCAL_HOSTS):
            raise _Fail(f"{url}: only https (or http to localhost) is fetched")
        req = urllib.request.Request(url, headers={"User-Agent": "stackcost"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read(_MAX_BYTES + 1)
                headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            raise _Fail(f"{url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise _Fail(f"{url}: {getattr(exc, 'reason', exc)}") from None
        if len(body) > _MAX_BYTES:
            raise _Fail(f"{url}: larger than {_MAX_BYTES // 2**20} MB")
        return body, headers

    def _find(self, source: str, version: str | None) -> Path:
        src, _, subdir = source.partition("//") if not source.startswith(("http://", "https://", "git::")) \
            else _split_url_subdir(source)
        if src.startswith(("git::", "http://", "https://")) or src.startswith("github.com/"):
            url = _archive_url(src)
            dest = self.cache / _safe(src)
        else:
            parts = src.split("/")
            if len(parts) == 3:
                host, ns, name, provider = self.default_host, *parts
            elif len(parts) == 4:
                host, ns, name, provider = parts
            else:
                raise _Fail("not a registry address (namespace/name/provider) nor a git/https archive")
            base = self.cache / _safe(f"{host}/{ns}/{name}/{provider}")
            cached = sorted((p.name for p in base.glob("*") if p.is_dir() and not p.name.startswith(".")
                             and allowed(p.name, version)), key=_version_key) if base.is_dir() else []
            pinned = version is not None and re.fullmatch(r"\s*=?\s*v?([0-9][0-9A-Za-z.\-]*)\s*", version)
            if pinned and pinned.group(1) in cached:  # an exact version already fetched: no network
                dest, url = base / pinned.group(1), ""
            else:
                try:
                    chosen, url = self._registry(host, ns, name, provider, version)
                except _Fail:
                    if not cached:
                        raise
                    chosen, url = cached[-1], ""  # registry unreachable: the newest cached version allowed
                dest = base / chosen
        if not dest.is_dir():
            self._fetch_archive(url, dest)
        target = (dest / subdir).resolve() if subdir else dest
        if not target.is_dir() or not target.is_relative_to(dest.resolve()):
            raise _Fail(f"subdirectory {subdir!r} is not in the module")
        return target

    def _registry(self, host: str, ns: str, name: str, provider: str, constraint: str | None) -> tuple[str, str]:
        base_url = f"{self._scheme(host)}://{host}"
        body, _ = self._get(f"{base_url}/.well-known/terraform.json")
        try:
            modules = json.loads(body)["modules.v1"]
        except (ValueError, KeyError, TypeError):
            raise _Fail(f"{host} does not offer the module registry protocol (no modules.v1)") from None
        api = urllib.parse.urljoin(base_url + "/", str(modules))
        api = api if api.endswith("/") else api + "/"
        body, _ = self._get(f"{api}{ns}/{name}/{provider}/versions")
        try:
            versions = [str(v["version"]) for m in json.loads(body)["modules"] for v in m["versions"]]
        except (ValueError, KeyError, TypeError):
            raise _Fail("the registry's version list is not readable") from None
        ok = sorted((v for v in versions if allowed(v, constraint)), key=_version_key)
        if not ok:
            raise _Fail(f"no version matches {constraint!r} (has {', '.join(versions[:8])})")
        chosen = ok[-1]
        dl = f"{api}{ns}/{name}/{provider}/{chosen}/download"
        _, headers = self._get(dl)
        get = headers.get("x-terraform-get")
        if not get:
            raise _Fail(f"{dl}: no X-Terraform-Get header")
        get = urllib.parse.urljoin(dl, get) if not get.startswith(("git::", "http://", "https://")) else get
        src, _, sub = _split_url_subdir(get)
        url = _archive_url(src)
        return chosen, url + (f"//{sub}" if sub else "")

    def _fetch_archive(self, url: str, dest: Path) -> None:
        url, _, sub = _split_url_subdir(url)
        body, _ = self._get(url)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=_mk(dest.parent)))
        try:
            _extract(body, url, tmp)
            root = tmp
            entries = list(tmp.iterdir())
            if len(entries) == 1 and entries[0].is_dir():  # GitHub archives hold one top directory
                root = entries[0]
            if sub:
                root = (root / sub).resolve()
                if not root.is_dir() or not root.is_relative_to(tmp.resolve()):
                    raise _Fail(f"subdirectory {sub!r} is not in the archive")
            if dest.exists():
                shutil.rmtree(dest)
            shutil.move(str(root), str(dest))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _mk(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def _split_url_subdir(url: str) -> tuple[str, str, str]:
    """'https://h/a.tar.gz//sub?x' -> ('https://h/a.tar.gz?x', '//', 'sub'); the scheme's '//' is kept."""
    head = ""
    for prefix in ("git::https://", "git::http://", "https://", "http://"):
        if url.startswith(prefix):
            head, url = prefix, url[len(prefix):]
            break
    path, q, query = url.partition("?")
    path, sep, sub = path.partition("//")
    return head + path + (q + query if q else ""), sep, sub


def _archive_url(src: str) -> str:
    if src.startswith("github.com/"):
        src = "git::https://" + src
    if src.startswith("git::"):
        url = src[5:]
        parsed = urllib.parse.urlparse(url)
        ref = urllib.parse.parse_qs(parsed.query).get("ref", ["HEAD"])[0]
        path = parsed.path.removesuffix(".git").rstrip("/")
        return f"{parsed.scheme}://{parsed.netloc}{path}/archive/{urllib.parse.quote(ref)}.tar.gz"
    return src


def _extract(body: bytes, url: str, dest: Path) -> None:
    name = urllib.parse.urlparse(url).path.lower()
    archive = urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("archive", [""])[0]
    base = dest.resolve()
    if name.endswith(".zip") or archive == "zip" or body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as zf:
                for info in zf.infolist():
                    target = (dest / info.filename).resolve()
                    if not target.is_relative_to(base):
                        raise _Fail(f"{url}: archive entry {info.filename!r} leaves the module directory")
                zf.extractall(dest)
        except zipfile.BadZipFile:
            raise _Fail(f"{url}: not a zip archive") from None
        return
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tf:
            members = []
            for m in tf.getmembers():
                target = (dest / m.name).resolve()
                if not target.is_relative_to(base) or m.issym() or m.islnk() or m.isdev():
                    raise _Fail(f"{url}: archive entry {m.name!r} is a link or leaves the module directory")
                members.append(m)
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4; the members were checked above either way
                tf.extractall(dest, members=members, filter="data")
            else:
                tf.extractall(dest, members=members)  # each member checked above
    except tarfile.TarError:
        raise _Fail(f"{url}: not a tar.gz or zip archive") from None
