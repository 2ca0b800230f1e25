"""The event bus: one interface, a Kafka and an embedded PostgreSQL transport."""
