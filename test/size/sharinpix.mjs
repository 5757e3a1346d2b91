// @importkit/sharinpix's main flow in a browser bundle: start an image import (a minted JWT), wait for its image.
import { createSharinPixClient } from "@importkit/sharinpix";

export async function importImage(secretUrl, album_id, url) {
  const sharinpix = createSharinPixClient({ secretUrl });
  return sharinpix.imports.startAndWait({ album_id, url });
}
