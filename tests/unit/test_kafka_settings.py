"""The Kafka client settings that differ from aiokafka's defaults, which at-least-once relies on."""

from __future__ import annotations

import inspect

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from infra.bus.kafka import KafkaTransport, consumer_config, producer_config
from infra.settings import CommonSettings

# Nothing connects: the clients are only constructed, never started.
UNREACHABLE = "127.0.0.1:1"


def _default(cls: type, name: str) -> object:
    return inspect.signature(cls).parameters[name].default


def test_producer_waits_for_all_replicas_and_is_idempotent() -> None:
    config = producer_config()

    assert config["acks"] == "all"
    assert config["enable_idempotence"] is True
    assert _default(AIOKafkaProducer, "enable_idempotence") is False


def test_consumer_commits_manually_and_starts_at_the_earliest_offset() -> None:
    config = consumer_config("jams-group")

    assert config["group_id"] == "jams-group"
    assert config["enable_auto_commit"] is False
    assert config["auto_offset_reset"] == "earliest"
    assert _default(AIOKafkaConsumer, "enable_auto_commit") is True
    assert _default(AIOKafkaConsumer, "auto_offset_reset") == "latest"


async def test_the_constructed_producer_carries_the_settings() -> None:
    producer = AIOKafkaProducer(bootstrap_servers=UNREACHABLE, **producer_config())
    try:
        assert producer._sender._acks == -1  # "all"
        assert producer._txn_manager is not None  # idempotence on
        assert producer._message_accumulator._batch_size >= 64 * 1024
    finally:
        await producer.client.close()


async def test_the_constructed_consumer_carries_the_settings() -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=UNREACHABLE, **consumer_config("jams-group"))
    try:
        assert consumer._enable_auto_commit is False
        assert consumer._auto_offset_reset == "earliest"
        assert consumer._group_id == "jams-group"
    finally:
        await consumer._client.close()


def test_transport_takes_partitions_and_replication_from_settings() -> None:
    settings = CommonSettings(
        kafka_bootstrap="broker:9092", kafka_partitions=6, kafka_replication_factor=3
    )

    transport = KafkaTransport.from_settings(settings)

    assert (transport.bootstrap, transport.partitions, transport.replication_factor) == (
        "broker:9092",
        6,
        3,
    )
