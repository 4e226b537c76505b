"""Operations of an app node (issue 20): the balancer's health check (`health`), one structured
log line per request with a request id on every record (`logs`, `middleware`), the Prometheus
metrics (`metrics`), and the cache headers and conditional answers of the public pages
(`caching`). Infrastructure, like the rest of core: it names no app."""
