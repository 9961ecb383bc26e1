"""A JSON Schema of the KEDA objects deploy/kubernetes/ uses (keda.sh/v1alpha1 ScaledObject and
TriggerAuthentication, KEDA 2.x), written from KEDA's documented fields: KEDA's own CRD is not in any Python
package, so this is a structural check, strict on the fields and on the Redis scaler's metadata (a misspelt
``listName`` would otherwise be ignored by KEDA and the pool would never scale)."""

from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

NAME = {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}
METADATA = {
    "type": "object",
    "required": ["name", "namespace"],
    "properties": {"name": NAME, "namespace": NAME, "labels": {"type": "object"}, "annotations": {"type": "object"}},
    "additionalProperties": False,
}
DIGITS = {"type": "string", "pattern": "^[0-9]+$"}  # KEDA's trigger metadata values are strings
REDIS_METADATA = {
    "type": "object",
    "required": ["listName", "listLength"],
    "oneOf": [{"required": ["address"]}, {"required": ["addressFromEnv"]}, {"required": ["host", "port"]}],
    "properties": {
        "address": {"type": "string"},
        "addressFromEnv": {"type": "string"},
        "host": {"type": "string"},
        "port": DIGITS,
        "listName": {"type": "string", "minLength": 1},
        "listLength": DIGITS,
        "activationListLength": DIGITS,
        "databaseIndex": DIGITS,
        "enableTLS": {"enum": ["true", "false"]},
        "usernameFromEnv": {"type": "string"},
        "passwordFromEnv": {"type": "string"},
    },
    "additionalProperties": False,
}
SCALED_OBJECT = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": METADATA,
        "spec": {
            "type": "object",
            "required": ["scaleTargetRef", "triggers"],
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "name": NAME,
                        "envSourceContainerName": {"type": "string"},
                    },
                    "additionalProperties": False,
                },
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": {"type": "integer", "minimum": 0},
                "initialCooldownPeriod": {"type": "integer", "minimum": 0},
                "idleReplicaCount": {"type": "integer", "minimum": 0},
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "fallback": {
                    "type": "object",
                    "required": ["failureThreshold", "replicas"],
                    "properties": {"failureThreshold": {"type": "integer"}, "replicas": {"type": "integer"}},
                    "additionalProperties": False,
                },
                "advanced": {
                    "type": "object",
                    "properties": {
                        "restoreToOriginalReplicaCount": {"type": "boolean"},
                        "horizontalPodAutoscalerConfig": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "behavior": {"type": "object"}},
                            "additionalProperties": False,
                        },
                    },
                    "additionalProperties": False,
                },
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "properties": {
                            "type": {"const": "redis"},
                            "name": {"type": "string"},
                            "metadata": REDIS_METADATA,
                            "authenticationRef": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": NAME, "kind": {"enum": ["TriggerAuthentication"]}},
                                "additionalProperties": False,
                            },
                            "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                            "useCachedMetrics": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
TRIGGER_AUTHENTICATION = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "TriggerAuthentication"},
        "metadata": METADATA,
        "spec": {
            "type": "object",
            "properties": {
                "secretTargetRef": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["parameter", "name", "key"],
                        "properties": {"parameter": {"type": "string"}, "name": NAME, "key": {"type": "string"}},
                        "additionalProperties": False,
                    },
                },
                "env": {"type": "array"},
                "podIdentity": {"type": "object"},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
# The pool may not shrink below the minimum nor grow past the maximum.
SCHEMAS = {"ScaledObject": SCALED_OBJECT, "TriggerAuthentication": TRIGGER_AUTHENTICATION}


def problems(obj: dict[str, Any]) -> list[str]:
    """What KEDA's schema (as above) finds wrong with ``obj``; empty when it is valid."""
    schema = SCHEMAS.get(obj.get("kind", ""))
    if schema is None:
        return [f"not a KEDA kind: {obj.get('kind')!r}"]
    found = [f"{obj['kind']}: {error.message} at {list(error.absolute_path)}" for error in
             Draft202012Validator(schema).iter_errors(obj)]  # fmt: skip
    spec = obj.get("spec", {})
    if obj["kind"] == "ScaledObject" and spec.get("minReplicaCount", 0) > spec.get("maxReplicaCount", 100):
        found.append("ScaledObject: minReplicaCount exceeds maxReplicaCount")
    return found
