// @description Is the database answering: the API's readiness probe.
// @mode read
// @columns ok
// @bounds constant
RETURN 1 AS ok
