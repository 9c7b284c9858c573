// Gives each test of a workspace that opts in (`preset({ retryOnce: true })`) a second run after a failure.
// Only for suites whose tests each set up their own topics and groups on the real broker, where a consumer group's
// timing can still vary with the machine's load; the summary reporter names every test that needed its retry, so a
// flake is reported, never hidden.
jest.retryTimes(1, { logErrorsBeforeRetry: true });
