// The store: counters, request logs, async jobs.
