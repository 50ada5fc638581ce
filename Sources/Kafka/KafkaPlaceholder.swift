// Kafka sink: see issue 3.
