/**
 * The unit project's setup, in every test file: no moto and no Python. A unit test that reached for
 * moto (MOTO_URL, local/moto.ts, local/prerequisites.ts) would fail instead of using the integration
 * project's server.
 */
delete process.env.MOTO_URL;
process.env.MGOV_PYTHON = '/nonexistent/unit-tests-run-without-python';
