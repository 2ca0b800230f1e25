"""Kafka settings per topic (retention, cleanup policy), as the deploy manifests state them.

Plain reading and checking, no I/O: `KafkaTransport.configure_topics` applies the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from schemas.events.topics import dead_letter_topic

# The topic configs a file may set; anything else is more likely a typo than a choice.
KNOWN: frozenset[str] = frozenset({
    "cleanup.policy", "retention.ms", "retention.bytes", "min.insync.replicas",
    "min.compaction.lag.ms", "delete.retention.ms", "segment.ms", "max.message.bytes",
})
POLICIES: frozenset[str] = frozenset({"delete", "compact", "compact,delete"})

TopicConfigs = dict[str, dict[str, str]]


class BadTopicSettings(ValueError):
    """The file names unknown topics or configs, misses a topic, or has a bad value."""


def _configs(where: str, raw: object) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise BadTopicSettings(f"{where}: expected a mapping of configs")
    configs = {str(k): str(v) for k, v in raw.items()}
    unknown = sorted(set(configs) - KNOWN)
    if unknown:
        raise BadTopicSettings(f"{where}: unknown configs {unknown}")
    policy = configs.get("cleanup.policy")
    if policy is not None and policy not in POLICIES:
        raise BadTopicSettings(f"{where}: cleanup.policy {policy!r} is not one of {POLICIES}")
    for name, value in configs.items():
        if name != "cleanup.policy" and not value.lstrip("-").isdigit():
            raise BadTopicSettings(f"{where}: {name} must be a whole number, not {value!r}")
    return configs


def read_topic_settings(text: str, topics: Sequence[str]) -> TopicConfigs:
    """Every topic in `topics` and its dead-letter topic, with its configs from `text`."""
    document: Any = yaml.safe_load(text)
    if not isinstance(document, Mapping):
        raise BadTopicSettings("expected a mapping with defaults, topics and dead_letters")
    defaults = _configs("defaults", document.get("defaults") or {})
    per_topic = document.get("topics") or {}
    if not isinstance(per_topic, Mapping):
        raise BadTopicSettings("topics: expected a mapping of topic to configs")
    missing, unknown = sorted(set(topics) - set(per_topic)), sorted(set(per_topic) - set(topics))
    if missing or unknown:
        raise BadTopicSettings(f"topics missing: {missing}; topics not in use: {unknown}")
    dead = _configs("dead_letters", document.get("dead_letters") or {})
    result: TopicConfigs = {}
    for topic in topics:
        result[topic] = defaults | _configs(f"topics.{topic}", per_topic[topic])
        result[dead_letter_topic(topic)] = defaults | dead
    return result
