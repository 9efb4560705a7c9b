/**
 * Detection of the external peers that interop suites talk to.
 *
 * Each interop suite asks `requirePeer(name, available, reason)` at collection
 * time and wraps its tests in `describe.skipIf(!run)`. Locally a missing peer
 * skips the suite with a printed reason; under CI=true a missing peer throws,
 * so the test file fails: nothing is silently skipped in CI.
 *
 * Peers are installed by scripts/install-test-deps.sh (Debian packages).
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** True when running under CI (CI=true, as set by the CI runner; also accepts CI=1). */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';

/** Debian's chromium (never a downloaded browser). Overridable for local setups. */
export const chromiumPath = process.env.JUNCTION_CHROMIUM ?? '/usr/bin/chromium';

/** Chromium flags for headless, offline, sandbox-less runs. */
export const chromiumArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's python3 (NOT a pyenv python on PATH), which sees python3-websockets. */
export const pythonPath = process.env.JUNCTION_PYTHON ?? '/usr/bin/python3';

export interface PeerStatus {
  available: boolean;
  /** Why it is unavailable (or a description of what was found). */
  reason: string;
  version?: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Chromium binary present and executable. */
export function detectChromium(): PeerStatus {
  if (!isExecutable(chromiumPath)) {
    return {
      available: false,
      reason: `${chromiumPath} not found or not executable (install Debian package 'chromium', see scripts/install-test-deps.sh)`,
    };
  }
  return { available: true, reason: `chromium at ${chromiumPath}` };
}

/** /usr/bin/python3 present and `import websockets` works; reports websockets.__version__. */
export function detectPythonWebsockets(): PeerStatus {
  if (!isExecutable(pythonPath)) {
    return { available: false, reason: `${pythonPath} not found or not executable` };
  }
  const r = spawnSync(pythonPath, ['-c', 'import websockets; print(websockets.__version__)'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.error || r.status !== 0) {
    const detail = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() ?? '';
    return {
      available: false,
      reason: `${pythonPath} cannot import websockets (install Debian package 'python3-websockets'): ${detail}`,
    };
  }
  const version = r.stdout.trim();
  return { available: true, reason: `python websockets ${version}`, version };
}

/**
 * /usr/bin/python3 can import Autobahn|Python (python3-autobahn) with its MessagePack and CBOR
 * serializers (python3-msgpack, python3-cbor2); reports autobahn.__version__.
 */
export function detectPythonAutobahn(): PeerStatus {
  if (!isExecutable(pythonPath)) {
    return { available: false, reason: `${pythonPath} not found or not executable` };
  }
  const probe = 'import autobahn, cbor2, msgpack; from autobahn.asyncio.wamp import ApplicationRunner; print(autobahn.__version__)';
  const r = spawnSync(pythonPath, ['-c', probe], { encoding: 'utf8', timeout: 20_000 });
  if (r.error || r.status !== 0) {
    const detail = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() ?? '';
    return {
      available: false,
      reason: `${pythonPath} cannot import autobahn, cbor2 and msgpack (install Debian packages 'python3-autobahn' and 'python3-cbor2'): ${detail}`,
    };
  }
  const version = r.stdout.trim();
  return { available: true, reason: `Autobahn|Python ${version}`, version };
}

/**
 * Decide whether a suite that needs peer `name` runs.
 * Returns true when available. Otherwise prints the reason and returns false,
 * except under CI=true, where it throws (a missing peer is a failure in CI).
 */
export function requirePeer(name: string, available: boolean, reason: string): boolean {
  if (available) return true;
  const msg = `[peers] ${name} unavailable: ${reason}`;
  if (isCI) {
    throw new Error(`${msg} (CI=true: missing interop peers are failures, not skips)`);
  }
  console.warn(`${msg} -- skipping ${name} interop tests`);
  return false;
}
