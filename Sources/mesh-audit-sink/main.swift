// The audit sink: every mesh record, verified or flagged, into the hash-chained audit store.
await AuditSinkCommand.main()
