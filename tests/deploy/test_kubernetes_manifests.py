"""deploy/kubernetes/ against the Kubernetes API schemas, offline, and the claims docs/deploy.md makes about it.

There is no cluster here: each manifest is validated with ``kubernetes_validate.validate`` (the
JSON schemas of the Kubernetes API that the package bundles; strict, so an unknown or misspelt
field fails) for the oldest and the newest Kubernetes version we state, and the settings that the
docs and the comments claim are read back and compared with their sources: the Dockerfile, the
systemd unit, deploy/nginx.conf and the measured figures in docs/load.md.
"""

from __future__ import annotations

import copy
import re
import shutil
import socket
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes these manifests are written for, and the newest whose schemas the pinned
# kubernetes-validate bundles (docs/deploy.md states both).
KUBERNETES_VERSIONS = ("1.30", "1.37")
NOT_API_OBJECTS = {"Kustomization"}  # kustomize's own file: no Kubernetes API schema


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _manifest_files() -> list[Path]:
    return sorted(K8S.glob("*.yaml"))


def _objects() -> list[tuple[str, dict]]:
    """Every Kubernetes API object in deploy/kubernetes/, with its file name."""
    return [(path.name, doc) for path in _manifest_files() for doc in _documents(path)
            if doc["kind"] not in NOT_API_OBJECTS]


def _one(kind: str, name: str | None = None) -> dict:
    found = [doc for _, doc in _objects()
             if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def _container() -> dict:
    (container,) = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    return container


def _quantity(text: str | int) -> float:
    """A Kubernetes quantity in base units: "512Mi" → 512·2²⁰ bytes, "1200m" → 1.2 cores."""
    text = str(text)
    suffixes = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3}
    for suffix, factor in suffixes.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def _systemd_bytes(text: str) -> float:
    """A systemd size: "1G" → 2³⁰ bytes, "800M" → 800·2²⁰ (systemd's suffixes are powers of 1024)."""
    number, suffix = re.fullmatch(r"(\d+)([KMG]?)", text).groups()
    return int(number) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[suffix]


def _unit_setting(name: str) -> str:
    (value,) = re.findall(rf"^{name}=(.*)$", (ROOT / "deploy" / "optiviz.service").read_text(), re.M)
    return value.strip()


def _section(markdown: str, heading: str) -> str:
    start = markdown.index(f"\n## {heading}")
    end = markdown.find("\n## ", start + 1)
    return markdown[start: end if end != -1 else len(markdown)]


def _last_cells(table_text: str) -> list[str]:
    rows = [line for line in table_text.splitlines() if line.startswith("|") and not line.startswith("| ---")
            and not set(line) <= set("|-: ")]
    return [row.strip().strip("|").split("|")[-1] for row in rows[1:]]  # rows[0] is the header


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


# --- the schemas -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name,obj", _objects(), ids=lambda v: v if isinstance(v, str) else v.get("kind"))
def test_every_manifest_validates_strictly_against_the_api_schema(name, obj, version):
    assert kubernetes_validate.validate(obj, version, strict=True) == version


def test_validation_is_offline(monkeypatch):
    """The schemas are the package's own files: no connection is opened."""
    def refuse(*args, **kwargs):
        raise AssertionError("kubernetes-validate tried to open a network connection")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for _, obj in _objects():
        kubernetes_validate.validate(obj, KUBERNETES_VERSIONS[-1], strict=True)


def test_the_pinned_kubernetes_validate_is_the_one_installed():
    pins = re.findall(r"^kubernetes-validate==([^\s#]+)", (ROOT / "requirements-test.txt").read_text(), re.M)
    assert pins == [kubernetes_validate.__version__]


@pytest.mark.parametrize("path,misspelt", [
    (("spec", "template", "spec", "containers", 0), ("readinessProbe", "readinesProbe")),
    (("spec", "template", "spec", "containers", 0, "securityContext"), ("readOnlyRootFilesystem", "readOnlyRootFileSystem")),
    (("spec", "template", "spec", "securityContext"), ("runAsNonRoot", "runAsNonroot")),
], ids=["readinesProbe", "readOnlyRootFileSystem", "runAsNonroot"])
def test_a_misspelt_field_is_rejected(path, misspelt):
    """Strict validation fails on an unknown field; without strict the same mistake would pass silently."""
    bad = copy.deepcopy(_one("Deployment"))
    where = bad
    for key in path:
        where = where[key]
    right, wrong = misspelt
    where[wrong] = where.pop(right)
    with pytest.raises(kubernetes_validate.ValidationError, match=wrong):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)
    kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=False)


def test_a_wrong_type_or_value_is_rejected():
    bad = copy.deepcopy(_one("HorizontalPodAutoscaler"))
    bad["spec"]["minReplicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)
    bad = copy.deepcopy(_one("Ingress", "optiviz"))
    bad["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = 80
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)


def test_kustomization_lists_every_manifest_but_the_example_secret():
    (kustomization,) = _documents(K8S / "kustomization.yaml")
    assert kustomization["kind"] == "Kustomization"
    expected = {p.name for p in _manifest_files()} - {"kustomization.yaml"} - {
        p.name for p in K8S.glob("*.example.yaml")}
    assert set(kustomization["resources"]) == expected
    assert len(kustomization["resources"]) == len(expected)
    assert kustomization["namespace"] == _one("Namespace")["metadata"]["name"]
    (image,) = kustomization["images"]
    assert image["name"] == _container()["image"]


def test_kustomize_renders_the_directory_and_the_result_validates():
    """``kubectl kustomize`` (kustomize built into kubectl, offline) applies the namespace and the image."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (kustomize's rendering is checked where it is)")
    rendered = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True,
                              timeout=120, check=True).stdout
    objects = [doc for doc in yaml.safe_load_all(rendered) if doc]
    (kustomization,) = _documents(K8S / "kustomization.yaml")
    (image,) = kustomization["images"]
    assert sorted(o["kind"] for o in objects) == sorted(
        doc["kind"] for name in kustomization["resources"] for doc in _documents(K8S / name))
    assert "Secret" not in {o["kind"] for o in objects}
    for obj in objects:
        assert kubernetes_validate.validate(obj, KUBERNETES_VERSIONS[-1], strict=True)
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == kustomization["namespace"]
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{image['newName']}:{image['newTag']}"


# --- the claims --------------------------------------------------------------------------------------


def test_probes_use_the_health_routes_on_the_images_port():
    container = _container()
    dockerfile = (ROOT / "Dockerfile").read_text()
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", dockerfile, re.M)
    (port,) = container["ports"]
    assert port["containerPort"] == int(exposed) == 8501
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/_stcore/health", "port": port["name"]}
    startup = container["startupProbe"]
    # the warm-up: deploy/healthcheck.py asks the same route, and the unit waits 60 s for it
    assert startup["httpGet"] == {"path": "/_stcore/script-health-check", "port": port["name"]}
    assert "script-health-check" in (ROOT / "deploy" / "healthcheck.py").read_text()
    (wait,) = re.findall(r"healthcheck\.py --wait (\d+)", _unit_setting("ExecStartPost"))
    assert startup["periodSeconds"] * startup["failureThreshold"] >= int(wait)
    assert "scriptHealthCheckEnabled = true" in (ROOT / ".streamlit" / "config.toml").read_text()
    # a busy replica must not be restarted (its sessions would end): liveness gives up last
    tolerance = {p: container[p]["periodSeconds"] * container[p]["failureThreshold"]
                 for p in ("readinessProbe", "livenessProbe")}
    assert tolerance["livenessProbe"] >= 2 * tolerance["readinessProbe"] >= 60
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["STREAMLIT_SERVER_PORT"] == exposed


def test_security_context_is_non_root_read_only_and_without_privileges():
    pod = _one("Deployment")["spec"]["template"]["spec"]
    container = _container()
    dockerfile = (ROOT / "Dockerfile").read_text()
    (uid,) = re.findall(r"useradd .*--uid (\d+)", dockerfile)
    assert re.search(rf"^USER {uid}$", dockerfile, re.M)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == int(uid) != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["privileged"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] == int(uid)
    # what may be written: /tmp and Streamlit's folder in HOME, each an emptyDir of the pod
    home = {e["name"]: e.get("value") for e in container["env"]}["HOME"]
    assert "--create-home" in dockerfile and home == "/home/optiviz"
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert set(mounts) == {"/tmp", f"{home}/.streamlit"}
    volumes = {v["name"]: v for v in pod["volumes"]}
    for name in mounts.values():
        assert set(volumes[name]) == {"name", "emptyDir"}
        assert _quantity(volumes[name]["emptyDir"]["sizeLimit"]) <= 64 * 2**20
    # Pod Security Admission refuses anything weaker in the namespace
    labels = _one("Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_cookie_secret_comes_from_a_secret_and_none_is_committed():
    container = _container()
    (entry,) = [e for e in container["env"] if e["name"] == "STREAMLIT_SERVER_COOKIE_SECRET"]
    assert "value" not in entry
    ref = entry["valueFrom"]["secretKeyRef"]
    assert ref["optional"] is False
    example = _documents(K8S / "cookie-secret.example.yaml")[0]
    assert example["kind"] == "Secret" and ref["name"] == example["metadata"]["name"]
    assert list(example["stringData"]) == [ref["key"]]
    placeholder = example["stringData"][ref["key"]]
    assert "REPLACE" in placeholder and not re.fullmatch(r"[0-9a-f]{32,}", placeholder)
    assert "openssl rand -hex 32" in (K8S / "cookie-secret.example.yaml").read_text()
    # no file holds anything that looks like a generated secret (32+ hex digits)
    for path in _manifest_files():
        assert not re.search(r"\b[0-9a-fA-F]{32,}\b", path.read_text()), path.name


def _nginx_conf() -> str:
    return (ROOT / "deploy" / "nginx.conf").read_text()


def _seconds(nginx_time: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([smh]?)", nginx_time).groups()
    return int(number) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


def test_ingress_has_cookie_affinity_and_websocket_timeouts():
    ingress = _one("Ingress", "optiviz")
    notes = ingress["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"
    assert notes[prefix + "affinity-mode"] == "persistent"  # adding a replica moves no session
    assert notes[prefix + "session-cookie-name"] == "optiviz_route"  # nginx.conf's route cookie
    assert notes[prefix + "session-cookie-path"] == "/"  # the page's cookie reaches /_stcore/stream
    assert notes[prefix + "session-cookie-samesite"] == "Lax"
    assert prefix + "session-cookie-max-age" not in notes and prefix + "session-cookie-expires" not in notes
    conf = _nginx_conf()
    stream = conf[conf.index("location /_stcore/stream"):]
    for direction in ("read", "send"):
        (nginx_timeout,) = re.findall(rf"proxy_{direction}_timeout (\w+);", stream[: stream.index("}")])
        assert int(notes[prefix + f"proxy-{direction}-timeout"]) == _seconds(nginx_timeout) >= 3600
    assert notes[prefix + "proxy-buffering"] == "off"
    (connect,) = re.findall(r"proxy_connect_timeout (\w+);", conf)
    assert int(notes[prefix + "proxy-connect-timeout"]) == _seconds(connect)
    assert ingress["spec"]["ingressClassName"] == "nginx"
    service = _one("Service")
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": service["metadata"]["name"], "port": {"name": "http"}}


def test_ingress_limits_mirror_nginx_conf():
    notes = _one("Ingress", "optiviz")["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    conf = _nginx_conf()
    (rate,) = re.findall(r"zone=optiviz_pages:\S+ rate=(\d+)r/s", conf)
    page_location = conf[conf.index("location / {"):]
    page_location = page_location[: page_location.index("}")]
    (burst,) = re.findall(r"limit_req zone=optiviz_pages burst=(\d+)", page_location)
    (connections,) = re.findall(r"limit_conn optiviz_addr (\d+);", page_location)
    media_location = conf[conf.index("location /media/ {"):]
    media_location = media_location[: media_location.index("}")]
    assert [line.strip() for line in page_location.splitlines() if "limit_" in line] == \
        [line.strip() for line in media_location.splitlines() if "limit_" in line]  # downloads: the pages' limits
    assert int(notes[prefix + "limit-rps"]) == int(rate)
    assert int(notes[prefix + "limit-rps"]) * int(notes[prefix + "limit-burst-multiplier"]) == int(burst)
    assert int(notes[prefix + "limit-connections"]) == int(connections)
    # nginx.conf sets no client_max_body_size: nginx's default 1m; Streamlit's maxUploadSize is 1 (MB)
    assert "client_max_body_size" not in conf
    assert notes[prefix + "proxy-body-size"] == "1m"
    assert re.search(r"^maxUploadSize = 1$", (ROOT / ".streamlit" / "config.toml").read_text(), re.M)


def test_internal_routes_are_refused_to_everyone():
    internal = _one("Ingress", "optiviz-internal")
    notes = internal["metadata"]["annotations"]
    assert set(notes["nginx.ingress.kubernetes.io/denylist-source-range"].split(",")) == {"0.0.0.0/0", "::/0"}
    (rule,) = internal["spec"]["rules"]
    assert rule["host"] == _one("Ingress", "optiviz")["spec"]["rules"][0]["host"]
    assert {p["path"] for p in rule["http"]["paths"]} == {"/_stcore/metrics", "/_stcore/script-health-check"}
    assert all(p["pathType"] == "Prefix" for p in rule["http"]["paths"])


def test_service_and_pdb_select_the_pods():
    pod_labels = _one("Deployment")["spec"]["template"]["metadata"]["labels"]
    service = _one("Service")
    assert service["spec"]["selector"].items() <= pod_labels.items()
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] == _container()["ports"][0]["name"]
    pdb = _one("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["maxUnavailable"] == 1
    assert "minAvailable" not in pdb["spec"]
    # a drain always leaves a replica serving
    assert _one("HorizontalPodAutoscaler")["spec"]["minReplicas"] > pdb["spec"]["maxUnavailable"]


def test_hpa_scales_the_deployment_on_cpu():
    hpa = _one("HorizontalPodAutoscaler")
    deployment = _one("Deployment")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": deployment["metadata"]["name"]}
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 50}
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    # the HPA owns the count: a `replicas` field would reset it at every apply
    assert "replicas" not in deployment["spec"]
    # removing a replica ends its sessions: scale down slowly, one pod at a time
    down = hpa["spec"]["behavior"]["scaleDown"]
    assert down["stabilizationWindowSeconds"] >= 600
    assert all(p["type"] == "Pods" and p["value"] == 1 for p in down["policies"])


def test_resources_follow_the_measured_figures():
    resources = _container()["resources"]
    requests = {k: _quantity(v) for k, v in resources["requests"].items()}
    limits = {k: _quantity(v) for k, v in resources["limits"].items()}
    load = (ROOT / "docs" / "load.md").read_text()
    # CPU: one process uses about one core (the GIL): "45.0 s of CPU in 43.7 s"
    cpu_s, wall_s = map(float, re.search(r"used ([\d.]+) s of CPU in ([\d.]+) s", load).groups())
    assert requests["cpu"] == 1
    assert cpu_s / wall_s <= limits["cpu"] < 2
    # memory: the limit is the unit's MemoryMax (and compose's 1g); MemoryHigh lies between
    assert limits["memory"] == _systemd_bytes(_unit_setting("MemoryMax")) == 2**30
    assert re.search(r"memory: 1g\b", (ROOT / "deploy" / "compose.yaml").read_text())
    assert requests["memory"] < _systemd_bytes(_unit_setting("MemoryHigh")) < limits["memory"]
    # the request covers the highest RSS measured for a class, plus 100 open tabs at the
    # highest memory per tab that bench_memory measured
    peak_rss_mb = max(max(_numbers(cell)) for cell in _last_cells(_section(load, "Figures")))
    per_tab_mb = max(max(_numbers(cell)) for cell in _last_cells(_section(load, "Memory per open tab")))
    assert 150 < peak_rss_mb < 1000 and 0 < per_tab_mb < 5  # the tables were read, not something else
    assert requests["memory"] >= (peak_rss_mb + 100 * per_tab_mb) * 2**20
