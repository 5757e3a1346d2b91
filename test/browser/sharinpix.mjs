// @importkit/sharinpix in a browser (bundled and run as test/browser/gitbook.mjs says): a JWT minted with jose on the
// browser's WebCrypto (the server verifies it), an import created and waited for.
import { createSharinPixClient } from "@importkit/sharinpix";

export async function run({ base, sharinpixSecretId, sharinpixSecret }) {
  const sharinpix = createSharinPixClient({ secretUrl: `sharinpix://${sharinpixSecretId}:${sharinpixSecret}@api.sharinpix.com/api/v1`, baseUrl: `${base}/api/v1` });
  const created = await sharinpix.imports.start({ album_id: "album-1", url: "https://example.com/a.jpg" });
  const processed = await sharinpix.imports.waitFor(created.id, { interval: 10 });
  return { created: created.id, imageSet: typeof processed.image_id === "string" };
}
