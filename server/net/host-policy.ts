/**
 * Which hosts service discovery may register. A discovered instance becomes a
 * target of the proxy, so an announcement must not be able to point traffic
 * (and health checks) at cloud metadata services or link-local addresses;
 * operators narrow it further with DISCOVERY_ALLOWED_HOSTS / _DENIED_HOSTS.
 *
 * Host names are matched as written, not resolved: a name that resolves to a
 * forbidden address is refused only if it is listed (DNS is the operator's).
 */
import net from "node:net";

/** Always refused: link-local (incl. 169.254.169.254), metadata endpoints, unspecified, multicast. */
const ALWAYS_DENIED_V4: [string, number][] = [
  ["169.254.0.0", 16],
  ["0.0.0.0", 8],
  ["224.0.0.0", 4],
  ["255.255.255.255", 32],
  ["100.100.100.200", 32], // Alibaba Cloud metadata
];
const ALWAYS_DENIED_V6: [string, number][] = [
  ["fe80::", 10],
  ["fd00:ec2::254", 128], // AWS metadata over IPv6
  ["ff00::", 8],
  ["::", 128],
];
const ALWAYS_DENIED_NAMES = new Set(["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"]);

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

interface Matcher {
  readonly addresses: net.BlockList;
  readonly names: readonly string[];
}

function matcher(entries: readonly string[]): Matcher {
  const addresses = new net.BlockList();
  const names: string[] = [];
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = net.isIP(address ?? "");
    if (family !== 0 && address !== undefined) {
      const type = family === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) addresses.addAddress(address, type);
      else addresses.addSubnet(address, Number(prefix), type);
    } else {
      names.push(entry.toLowerCase());
    }
  }
  return { addresses, names };
}

function matches(m: Matcher, host: string): boolean {
  const family = net.isIP(host);
  if (family !== 0) return m.addresses.check(host, family === 4 ? "ipv4" : "ipv6");
  const lower = host.toLowerCase();
  return m.names.some((name) => (name.startsWith("*.") ? lower.endsWith(name.slice(1)) : lower === name));
}

/** Returns why `host` is refused, or undefined when discovery may register it. */
export type HostPolicy = (host: string) => string | undefined;

export function createHostPolicy(options: { allowed: readonly string[]; denied: readonly string[] }): HostPolicy {
  const always = new net.BlockList();
  for (const [address, prefix] of ALWAYS_DENIED_V4) always.addSubnet(address, prefix, "ipv4");
  for (const [address, prefix] of ALWAYS_DENIED_V6) always.addSubnet(address, prefix, "ipv6");
  const allowed = matcher(options.allowed);
  const denied = matcher(options.denied);
  return (host) => {
    const family = net.isIP(host);
    if (family === 0 && !HOSTNAME.test(host)) return "host is neither an IP address nor a valid host name";
    if (family === 4 && always.check(host, "ipv4")) return "link-local, metadata or reserved address";
    if (family === 6) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1];
      if (always.check(host, "ipv6") || (mapped !== undefined && always.check(mapped, "ipv4"))) {
        return "link-local, metadata or reserved address";
      }
    }
    if (family === 0 && ALWAYS_DENIED_NAMES.has(host.toLowerCase())) return "cloud metadata host name";
    if (matches(denied, host)) return "host is in DISCOVERY_DENIED_HOSTS";
    if (options.allowed.length > 0 && !matches(allowed, host)) return "host is not in DISCOVERY_ALLOWED_HOSTS";
    return undefined;
  };
}
