// Reference activations of a TF.js layers model for the Java importer's parity tests.
//
//   npm install && node feature-fixtures.js MODEL_DIR SIZE LAYER[,LAYER...] OUT.json
//
// Two small deterministic RGB images go through the preprocessing the nsfwjs models were trained
// with (pixel/255, bilinear resize with aligned corners to SIZE) and the model; for each named
// layer the fixture keeps, per image, the channel means of its map (first 256 channels) and the
// first 16 channels at three probe pixels (top-left, centre, bottom-right, where padding bugs
// show), or the whole vector for a flat layer.
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const [modelDir, sizeArg, layerArg, outFile] = process.argv.slice(2);
if (!outFile) {
  console.error('usage: node feature-fixtures.js MODEL_DIR SIZE LAYER[,LAYER...] OUT.json');
  process.exit(2);
}
const size = Number(sizeArg);
const layerNames = layerArg.split(',');
const MEAN_CHANNELS = 256;
const PROBE_CHANNELS = 16;

/** Loads model.json and its shards from disk (tfjs-node's file:// handler is not available). */
function diskHandler(dir) {
  return {
    load: async () => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const weightSpecs = [];
      const buffers = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return { modelTopology: json.modelTopology, weightSpecs, weightData };
    },
  };
}

/** Image 0: ramps and waves; image 1: rings and a checkerboard. Integers, so Java reads the same bytes. */
function makeImages() {
  const images = [];
  const h = 48;
  const w = 64;
  for (let k = 0; k < 2; k++) {
    const rgb = new Array(h * w * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        if (k === 0) {
          rgb[o] = (x * 4 + y * 2) % 256;
          rgb[o + 1] = Math.round(127.5 + 127.5 * Math.sin(x / 5) * Math.cos(y / 7));
          rgb[o + 2] = (x * y) % 256;
        } else {
          const r = Math.hypot(x - w / 2, y - h / 2);
          rgb[o] = Math.round(127.5 + 127.5 * Math.cos(r / 3));
          rgb[o + 1] = ((x >> 3) + (y >> 3)) % 2 === 0 ? 230 : 25;
          rgb[o + 2] = (255 - x * 3 + y) & 255;
        }
      }
    }
    images.push({ height: h, width: w, rgb });
  }
  return images;
}

function summarise(tensor) {
  const shape = tensor.shape.slice(1);
  const data = tensor.arraySync();
  if (shape.length === 1) {
    return { shape, vectors: data };
  }
  const [h, w, c] = shape;
  const means = tensor.mean([1, 2]).arraySync().map((m) => m.slice(0, Math.min(c, MEAN_CHANNELS)));
  const probes = [[0, 0], [Math.floor(h / 2), Math.floor(w / 2)], [h - 1, w - 1]];
  const values = data.map((img) => probes.map(([y, x]) => img[y][x].slice(0, Math.min(c, PROBE_CHANNELS))));
  return { shape, means, probes, probeValues: values };
}

async function main() {
  const model = await tf.loadLayersModel(diskHandler(modelDir));
  const outputs = layerNames.map((n) => model.getLayer(n).output);
  const probe = tf.model({ inputs: model.inputs, outputs });
  const images = makeImages();
  const batch = tf.tidy(() => tf.stack(images.map((im) => {
    const pixels = tf.tensor3d(im.rgb, [im.height, im.width, 3], 'float32');
    return tf.image.resizeBilinear(pixels.div(255), [size, size], true);
  })));
  let results = probe.predict(batch);
  if (!Array.isArray(results)) results = [results];
  const layers = {};
  layerNames.forEach((n, i) => { layers[n] = summarise(results[i]); });
  const fixture = {
    made: `@tensorflow/tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}`,
    model: path.basename(modelDir),
    inputSize: size,
    images,
    layers,
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify(fixture));
  console.log(`wrote ${outFile}: ${layerNames.join(', ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
