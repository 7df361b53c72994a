"""deploy/nginx.conf's serving settings, for real on loopback: gzip, security headers, limits generous enough for a
class behind one address, the script health check kept internal, and the route cookie `Secure` over TLS."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import os
import pwd
import re
import ssl
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import websockets

from tests.deploy.conftest import in_thread, render_nginx_conf
from tests.servers import free_port, stop

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "frame-ancestors *",
}


def get(url: str, path: str, headers: dict | None = None, source: str = "127.0.0.1", context=None):
    """(status, headers as a list of (name, value), body) of one GET from ``source``."""
    scheme, host, port = re.fullmatch(r"(https?)://([\d.]+):(\d+)", url).groups()
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, int(port), timeout=30, source_address=(source, 0),
                                                 context=context)
    else:
        connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def header(headers, name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def script_path(url: str) -> str:
    """The page's main JavaScript bundle, as its HTML names it."""
    status, _, body = get(url, "/")
    assert status == 200
    src = re.search(rb'<script[^>]+src="\.?(/[^"]+\.js)"', body)
    assert src, body[:500]
    return src.group(1).decode()


def test_javascript_goes_out_gzipped(proxy, replicas):
    url, _ = proxy
    path = script_path(url)
    status, headers, body = get(url, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and header(headers, "Content-Encoding") == ["gzip"]
    assert "Accept-Encoding" in ",".join(header(headers, "Vary"))
    status, direct, plain = get(replicas[0].url, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and not header(direct, "Content-Encoding")  # the replica itself sends it uncompressed
    assert gzip.decompress(body) == plain
    assert len(body) < 0.5 * len(plain), (len(body), len(plain))
    # a client that does not ask for gzip gets the plain bytes
    status, headers, body = get(url, path)
    assert status == 200 and not header(headers, "Content-Encoding") and body == plain


@pytest.mark.parametrize("path", ["/", "/optimizer-race", "/_stcore/health", "script"])
def test_security_headers_once_on_every_response(proxy, path):
    url, _ = proxy
    path = script_path(url) if path == "script" else path
    status, headers, _ = get(url, path)
    assert status == 200
    for name, value in SECURITY_HEADERS.items():
        assert header(headers, name) == [value], (name, header(headers, name))


@pytest.mark.parametrize("path", ["/_stcore/script-health-check", "/_stcore/script-health-check/",
                                  "//_stcore/script-health-check", "/_stcore/script%2Dhealth%2Dcheck"])
def test_script_health_check_is_internal(proxy, path):
    url, _ = proxy
    assert get(url, path, source="127.0.0.2")[0] == 403  # another address: a student's, say


def test_script_health_check_answers_the_server_itself(proxy):
    url, _ = proxy
    status, _, body = get(url, "/_stcore/script-health-check")
    assert status == 200 and body.strip() == b"ok"


def test_a_class_behind_one_address_is_not_limited(proxy):
    """100 students behind one NAT address open the page and its main script at once: nothing is refused."""
    url, _ = proxy
    path = script_path(url)

    def visit(_):
        return get(url, "/")[0], get(url, path, {"Accept-Encoding": "gzip"})[0], get(url, "/_stcore/health")[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(visit, range(100)))
    assert statuses == [(200, 200, 200)] * 100


BROWSER_WEBSOCKETS = 30  # limit_conn optiviz_browser in deploy/nginx.conf


def open_websockets(url: str, cookie: str, count: int) -> list[object]:
    """Open ``count`` websockets at once from one browser (one route cookie), hold them all, then close them all;
    returns, for each, True if it opened or the HTTP status it was refused with."""
    stream = url.replace("http://", "ws://") + "/_stcore/stream"

    async def run():
        opened, results = [], []
        try:
            for _ in range(count):
                try:
                    opened.append(await websockets.connect(stream, subprotocols=["streamlit"], open_timeout=30,
                                                           additional_headers={"Cookie": f"optiviz_route={cookie}"}))
                    results.append(True)
                except websockets.InvalidStatus as refused:
                    results.append(refused.response.status_code)
        finally:
            await asyncio.gather(*(ws.close() for ws in opened))
        return results

    return in_thread(asyncio.run, run())


def test_one_browser_holds_a_bounded_number_of_websockets(proxy):
    url, _ = proxy
    results = open_websockets(url, "one-browser", BROWSER_WEBSOCKETS + 2)
    assert results == [True] * BROWSER_WEBSOCKETS + [429, 429]
    # another browser behind the same address is not affected
    assert open_websockets(url, "another-browser", 3) == [True] * 3


def test_the_route_cookie_is_not_secure_over_plain_http(proxy):
    url, _ = proxy
    cookies = header(get(url, "/")[1], "Set-Cookie")
    route = [c for c in cookies if c.startswith("optiviz_route=")]
    assert len(route) == 1 and "Secure" not in route[0] and "HttpOnly" in route[0]


@pytest.fixture(scope="module")
def tls_proxy(nginx_binary, replicas, tmp_path_factory):
    """The same config with `listen ... ssl` and a self-signed certificate, as docs/deploy.md shows TLS."""
    tmp = tmp_path_factory.mktemp("nginx-tls")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                           "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {made.stderr}")
    port = free_port()
    text = render_nginx_conf([r.port for r in replicas], port, tmp)
    plain = f"listen 127.0.0.1:{port};"
    assert text.count(plain) == 1
    text = text.replace(plain, f"listen 127.0.0.1:{port} ssl; ssl_certificate {cert}; ssl_certificate_key {key};")
    conf, error_log = tmp / "nginx.conf", tmp / "error.log"
    conf.write_text(text)
    directives = f"daemon off; pid {tmp / 'nginx.pid'}; error_log {error_log} info;"
    if os.geteuid() == 0:
        directives += f" user {pwd.getpwuid(0).pw_name};"
    command = [nginx_binary, "-p", str(tmp), "-c", str(conf), "-e", str(error_log), "-g", directives]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    context = ssl._create_unverified_context()  # the certificate is self-signed
    url = f"https://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if get(url, "/_stcore/health", context=context)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, error_log.read_text() if error_log.exists() else "nginx exited"
            time.sleep(0.1)
        yield url, context
    finally:
        stop(process)


def test_the_route_cookie_is_secure_over_tls(tls_proxy):
    url, context = tls_proxy
    status, headers, _ = get(url, "/", context=context)
    route = [c for c in header(headers, "Set-Cookie") if c.startswith("optiviz_route=")]
    assert status == 200 and len(route) == 1 and route[0].endswith("SameSite=Lax; Secure"), route
    assert header(headers, "Content-Security-Policy") == ["frame-ancestors *"]
