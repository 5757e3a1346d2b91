// @importkit/document360's main flow in a browser bundle: export the project, wait, stream the zip.
import { createDocument360Client } from "@importkit/document360";

export async function exportProject(apiToken) {
  const d360 = createDocument360Client({ apiToken });
  const finished = await d360.exports.startAndWait({ entity: "Project", version_id: [] });
  return (await d360.exports.download(finished)).body;
}
