"""The YAML of the repository passes yamllint, and the Kubernetes manifests of deploy/kubernetes/ pass
kubernetes-validate's offline schemas (strict: no unknown field) for KUBERNETES_VERSION, with the KEDA objects
checked against the schema of tests/deploy/keda.py, and hold together: each process's command exists, pools scale
on their own queue, probes reach what they check."""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from kubernetes_validate import ValidationError, validate  # type: ignore[import-untyped]
from yamllint import linter  # type: ignore[import-untyped]
from yamllint.config import YamlLintConfig  # type: ignore[import-untyped]

from tests.deploy import keda
from tests.deploy.deployfiles import (
    KEDA_KINDS,
    KUBERNETES,
    KUBERNETES_VERSION,
    REPO,
    by_kind,
    celery_queues,
    command_problems,
    documents,
    kustomization_resources,
    manifests,
    option,
    required_production_env,
    worker_name,
    yaml_files,
)

VARIANTS = {"cpu": KUBERNETES, "gpu": KUBERNETES / "gpu"}
CORE_FILES = sorted(
    path for path in [*KUBERNETES.glob("*.yaml"), *KUBERNETES.glob("*/*.yaml")] if path.name != "kustomization.yaml"
)


def yamllint_problems(text: str, path: Path) -> list[str]:
    config = YamlLintConfig(file=str(REPO / ".yamllint.yaml"))
    return [f"{path}:{p.line}:{p.column} {p.desc} ({p.rule})" for p in linter.run(text, config, str(path))]


def kubernetes_problems(obj: dict[str, Any]) -> list[str]:
    try:
        validate(obj, KUBERNETES_VERSION, strict=True)
    except ValidationError as error:
        return [f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}"]
    return []


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]


def variant(name: str) -> list[dict[str, Any]]:
    """The objects of a variant after its kustomization's delete patches."""
    objects = manifests(VARIANTS[name])
    for patch in documents(VARIANTS[name] / "kustomization.yaml")[0].get("patches", []):
        target = yaml.safe_load(patch["patch"])
        assert target.pop("$patch") == "delete", "only delete patches are understood here"
        before = len(objects)
        objects = [
            o for o in objects if (o["kind"], o["metadata"]["name"]) != (target["kind"], target["metadata"]["name"])
        ]
        assert len(objects) == before - 1, f"the patch deletes nothing: {target}"
    return objects


def test_every_yaml_file_passes_yamllint() -> None:
    files = yaml_files()
    assert KUBERNETES / "web.yaml" in files and REPO / "deploy/compose.yaml" in files
    problems = [problem for path in files for problem in yamllint_problems(path.read_text(), path)]
    assert problems == []


def test_yamllint_fails_a_duplicate_key_and_a_bad_indent() -> None:
    broken = "apiVersion: v1\nkind: ConfigMap\nkind: Secret\ndata:\n   a: b\n"
    problems = "\n".join(yamllint_problems(broken, Path("broken.yaml")))
    assert "key-duplicates" in problems and "indentation" in problems


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda path: str(path.relative_to(KUBERNETES)))
def test_each_manifest_passes_its_schema(path: Path) -> None:
    objects = documents(path)
    assert objects
    problems = []
    for obj in objects:
        problems += keda.problems(obj) if obj["kind"] in KEDA_KINDS else kubernetes_problems(obj)
    assert problems == []


def test_the_schemas_fail_broken_manifests() -> None:
    web = by_kind(manifests(KUBERNETES), "Deployment")["web"]
    broken = copy.deepcopy(web)
    broken["spec"]["template"]["spec"]["containers"][0]["resources"]["limit"] = {"cpu": "1"}  # limits, misspelt
    assert "limit" in "".join(kubernetes_problems(broken))
    scaled = by_kind(manifests(KUBERNETES), "ScaledObject")["worker-validation"]
    broken = copy.deepcopy(scaled)
    broken["spec"]["triggers"][0]["metadata"]["listname"] = broken["spec"]["triggers"][0]["metadata"].pop("listName")
    assert keda.problems(broken)


def test_every_file_is_deployed_by_a_kustomization_except_the_secret_example() -> None:
    deployed = {*kustomization_resources(KUBERNETES), *kustomization_resources(KUBERNETES / "gpu")}
    assert set(CORE_FILES) - deployed == {KUBERNETES / "secret.example.yaml"}


@pytest.mark.parametrize("name", VARIANTS)
def test_every_process_runs_a_real_command(name: str) -> None:
    objects = variant(name)
    pods = [pod_spec(d) for d in by_kind(objects, "Deployment").values()]
    pods += [job["spec"]["template"]["spec"] for job in by_kind(objects, "Job").values()]
    containers = [c for pod in pods for c in [*pod.get("initContainers", []), *pod["containers"]]]
    problems = [problem for c in containers for problem in command_problems(c["command"])]
    assert problems == []
    assert any(c["command"][1:3] == ["manage.py", "migrate"] for c in containers)


@pytest.mark.parametrize("name", VARIANTS)
def test_every_container_has_requests_limits_and_the_settings(name: str) -> None:
    objects = variant(name)
    config = by_kind(objects, "ConfigMap")["metascene"]["data"]
    secret = by_kind(documents(KUBERNETES / "secret.example.yaml"), "Secret")["metascene"]["stringData"]
    assert required_production_env() <= {*config, *secret}
    pods = [pod_spec(d) for d in by_kind(objects, "Deployment").values()]
    pods += [job["spec"]["template"]["spec"] for job in by_kind(objects, "Job").values()]
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (container["name"], kind)
            sources = {(next(iter(s)), next(iter(s.values()))["name"]) for s in container["envFrom"]}
            assert sources == {("configMapRef", "metascene"), ("secretRef", "metascene")}


def test_web_probes_healthz_as_an_allowed_https_host() -> None:
    objects = manifests(KUBERNETES)
    web = pod_spec(by_kind(objects, "Deployment")["web"])["containers"][0]
    allowed = by_kind(objects, "ConfigMap")["metascene"]["data"]["DJANGO_ALLOWED_HOSTS"].split(",")
    for probe in (web["readinessProbe"], web["livenessProbe"]):
        headers = {h["name"]: h["value"] for h in probe["httpGet"]["httpHeaders"]}
        assert probe["httpGet"]["path"] == "/healthz"
        assert headers == {"Host": allowed[0], "X-Forwarded-Proto": "https"}
    service = by_kind(objects, "Service")["web"]
    assert service["spec"]["ports"][0]["targetPort"] == web["ports"][0]["name"]
    ingress = by_kind(objects, "Ingress")["web"]
    assert ingress["spec"]["rules"][0]["host"] == allowed[0]
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "web"
    hpa = by_kind(objects, "HorizontalPodAutoscaler")["web"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web" and hpa["spec"]["minReplicas"] >= 2


@pytest.mark.parametrize("name", VARIANTS)
def test_each_queue_has_a_pool_scaled_on_its_redis_list_with_a_ping_for_its_health(name: str) -> None:
    objects = variant(name)
    deployments = by_kind(objects, "Deployment")
    config = by_kind(objects, "ConfigMap")["metascene"]["data"]
    secret = by_kind(documents(KUBERNETES / "secret.example.yaml"), "Secret")["metascene"]["stringData"]
    scaled_queues = []
    for scaled in by_kind(objects, "ScaledObject").values():
        target = deployments[scaled["spec"]["scaleTargetRef"]["name"]]
        container = pod_spec(target)["containers"][0]
        trigger = scaled["spec"]["triggers"][0]
        queue = trigger["metadata"]["listName"]
        assert option(container["command"], "-Q") == queue
        assert trigger["metadata"]["addressFromEnv"] in config
        assert secret["REDIS_URL"].rsplit("/", 1)[1] == trigger["metadata"]["databaseIndex"]
        auth = by_kind(objects, "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
        assert {ref["key"] for ref in auth["spec"]["secretTargetRef"]} <= set(secret)
        ping = container["livenessProbe"]["exec"]["command"][2]
        assert f"-d {worker_name(container['command'])}@$HOSTNAME" in ping
        assert command_problems(container["livenessProbe"]["exec"]["command"]) == []
        # KEDA's replicas are not overwritten by each apply.
        assert "replicas" not in target["spec"]
        scaled_queues.append(queue)
    assert sorted(scaled_queues) == sorted(celery_queues())


def test_a_single_beat_that_is_stopped_before_its_replacement_starts() -> None:
    deployments = by_kind(manifests(KUBERNETES), "Deployment")
    beats = [d for d in deployments.values() if "beat" in pod_spec(d)["containers"][0]["command"]]
    assert [b["metadata"]["name"] for b in beats] == ["beat"]
    assert beats[0]["spec"]["replicas"] == 1
    assert beats[0]["spec"]["strategy"] == {"type": "Recreate"}


def test_the_gpu_variant_renders_on_an_nvidia_gpu_through_egl() -> None:
    deployments = by_kind(variant("gpu"), "Deployment")
    assert "worker-rendering" not in deployments
    pod = pod_spec(deployments["worker-rendering-gpu"])
    container = pod["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert set(env["NVIDIA_DRIVER_CAPABILITIES"].split(",")) >= {"graphics", "compute", "utility"}
    assert env["METASCENE_GL_BACKEND"] == "egl"
    assert env["__EGL_VENDOR_LIBRARY_FILENAMES"].endswith("nvidia.json")
    assert pod["nodeSelector"] and any(t["key"] == "nvidia.com/gpu" for t in pod["tolerations"])


def test_worker_pods_wait_for_the_running_stage_before_they_are_killed() -> None:
    """A scale-down sends SIGTERM: Celery's warm shutdown finishes the task unless the grace period ends first."""
    hard = max(limits["hard"] for limits in settings.METASCENE_STAGE_TIME_LIMITS.values())
    for name in ("cpu", "gpu"):
        for deployment in by_kind(variant(name), "Deployment").values():
            if "worker" in pod_spec(deployment)["containers"][0]["command"]:
                assert pod_spec(deployment)["terminationGracePeriodSeconds"] > hard
