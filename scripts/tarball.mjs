// Reads an npm package tarball (gzipped ustar, as `pnpm pack` writes it) into a map of path → bytes, paths relative
// to the package root (the tarball's leading `package/` removed). Small enough to keep here rather than add a
// dependency: regular files, directories and pax headers (long names) are all a package tarball holds.
import { gunzipSync } from "node:zlib";

export function readTarball(gzipped) {
  const tar = gunzipSync(gzipped);
  const files = new Map();
  let paxPath;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const data = tar.subarray(offset + 512, offset + 512 + size);
    paxPath = undefined;
    if (type === "x") paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1];
    else if (type === "0" || type === "7") files.set(name.replace(/^[^/]+\//, ""), Buffer.from(data));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
