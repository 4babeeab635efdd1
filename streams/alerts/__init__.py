"""Subscriptions and alerts, pure: filters, matching, the alert policy (dedup, throttle,
digests) and stage, the subscription book and store, the speaker directory. No Kafka, no Faust."""
