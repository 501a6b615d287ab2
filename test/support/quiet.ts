// Handlers log through Powertools; in tests their JSON lines would drown the report. Set
// POWERTOOLS_LOG_LEVEL=INFO to see them.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
export {};
