"""Each dev server from `python -m infra.devservices up` answers a real protocol round-trip."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from motor.motor_asyncio import AsyncIOMotorClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from infra.devservices import DevConfig, read_env_file

pytestmark = pytest.mark.integration


def setting(name: str) -> str:
    """An env var, else its value in .dev/services.env; fails (never skips) when neither has it."""
    cfg = DevConfig.from_env()
    value = os.environ.get(name) or read_env_file(cfg.env_file).get(name)
    if not value:
        pytest.fail(f"{name} unset: run `python -m infra.devservices up` (writes {cfg.env_file})")
    return value


@pytest.mark.kafka
async def test_kafka_produce_and_consume() -> None:
    bootstrap = setting("JAMS_KAFKA_BOOTSTRAP")
    topic = f"devservices-{uuid.uuid4().hex[:12]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        # The broker does not auto-create topics, so the test creates (and removes) its own.
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"hello", key=b"k1")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"devservices-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=30)
            await consumer.commit()  # exercises the group coordinator and __consumer_offsets
        finally:
            await consumer.stop()
        assert (record.key, record.value) == (b"k1", b"hello")
    finally:
        await admin.delete_topics([topic])
        await admin.close()


async def test_ferretdb_insert_and_find() -> None:
    client: AsyncIOMotorClient[dict[str, object]] = AsyncIOMotorClient(
        setting("JAMS_MONGO_URL"), serverSelectionTimeoutMS=5000
    )
    collection = client["devservices_test"][f"c_{uuid.uuid4().hex[:12]}"]
    try:
        await collection.insert_one({"_id": "doc-1", "title": "engineer", "tags": ["a", "b"]})
        found = await collection.find_one({"title": "engineer"})
        assert found == {"_id": "doc-1", "title": "engineer", "tags": ["a", "b"]}
    finally:
        await collection.drop()
        client.close()


async def test_valkey_set_and_get() -> None:
    client = Redis.from_url(setting("JAMS_REDIS_URL"))
    key = f"devservices:{uuid.uuid4().hex}"
    try:
        assert await client.set(key, "v1", ex=60)
        assert await client.get(key) == b"v1"
    finally:
        await client.delete(key)
        await client.aclose()


async def test_postgres_has_pgvector() -> None:
    # The same URL form and driver the services use (SQLAlchemy async on psycopg, Unix socket).
    engine = create_async_engine(setting("JAMS_DATABASE_URL"))
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(
                text("select extversion from pg_extension where extname = 'vector'")
            )
            one = await conn.scalar(text("select '[1,2,3]'::vector <-> '[1,2,4]'::vector"))
    finally:
        await engine.dispose()
    assert version
    assert one == pytest.approx(1.0)


def test_chromium_is_executable() -> None:
    assert os.access(setting("JAMS_CHROMIUM_PATH"), os.X_OK)


def test_imap_appends_and_finds_a_message() -> None:
    import imaplib
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(setting("JAMS_CONFIRMATION_IMAP_URL"))
    marker = uuid.uuid4().hex
    with imaplib.IMAP4(parts.hostname or "", parts.port or 143, timeout=10) as client:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        message = f"To: a@example.com\r\nSubject: {marker}\r\n\r\nhello\r\n".encode()
        assert client.append(parts.path.strip("/"), None, None, message)[0] == "OK"
        assert client.select(parts.path.strip("/"), readonly=True)[0] == "OK"
        status, found = client.search(None, "SUBJECT", f'"{marker}"')
    assert status == "OK" and len(found[0].split()) == 1
