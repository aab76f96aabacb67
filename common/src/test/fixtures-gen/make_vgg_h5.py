"""A small VGG-shaped Keras 2 .h5 file and its reference activations, for the .h5 import test.

    /usr/bin/python3 make_vgg_h5.py ../resources/style/tiny-vgg.h5 ../resources/style/tiny-vgg-numpy.json

Layer names, config and file layout are those of keras.applications.VGG19 saved by Keras 2.2.4
(model_config attribute, model_weights/<layer>/<layer>/kernel:0); only the sizes are tiny.
Activations are computed here with numpy, in float64, from the same weights, with VGG's "caffe"
preprocessing (RGB [0, 1] -> BGR * 255 - ImageNet mean). Needs numpy and h5py (Debian python3-h5py).
"""
import json
import sys

import h5py
import numpy as np

SIZE = 16
MEAN_BGR = np.array([103.939, 116.779, 123.68])
rng = np.random.RandomState(7)


def conv_layer(name, filters, inbound):
    return {"name": name, "class_name": "Conv2D", "config": {
        "name": name, "trainable": True, "filters": filters, "kernel_size": [3, 3], "strides": [1, 1],
        "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
        "activation": "relu", "use_bias": True}, "inbound_nodes": [[[inbound, 0, 0, {}]]]}


def pool_layer(name, inbound):
    return {"name": name, "class_name": "MaxPooling2D", "config": {
        "name": name, "trainable": True, "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
        "data_format": "channels_last"}, "inbound_nodes": [[[inbound, 0, 0, {}]]]}


def dense_layer(name, units, activation, inbound):
    return {"name": name, "class_name": "Dense", "config": {
        "name": name, "trainable": True, "units": units, "activation": activation, "use_bias": True},
        "inbound_nodes": [[[inbound, 0, 0, {}]]]}


layers = [{"name": "input_1", "class_name": "InputLayer", "config": {
    "batch_input_shape": [None, SIZE, SIZE, 3], "dtype": "float32", "sparse": False, "name": "input_1"},
    "inbound_nodes": []}]
layers += [conv_layer("block1_conv1", 4, "input_1"), conv_layer("block1_conv2", 4, "block1_conv1"),
           pool_layer("block1_pool", "block1_conv2"),
           conv_layer("block2_conv1", 8, "block1_pool"), conv_layer("block2_conv2", 8, "block2_conv1"),
           pool_layer("block2_pool", "block2_conv2"),
           {"name": "flatten", "class_name": "Flatten", "config": {"name": "flatten", "trainable": True,
                                                                    "data_format": "channels_last"},
            "inbound_nodes": [[["block2_pool", 0, 0, {}]]]},
           dense_layer("fc1", 16, "relu", "flatten"), dense_layer("predictions", 3, "softmax", "fc1")]
config = {"class_name": "Model", "config": {"name": "vgg19", "layers": layers,
                                            "input_layers": [["input_1", 0, 0]],
                                            "output_layers": [["predictions", 0, 0]]}}

weights = {}
channels = 3
for l in layers:
    c = l["config"]
    if l["class_name"] == "Conv2D":
        fan_in = 9 * channels
        # The first layer sees caffe-scaled pixels (about +-128): shrink it so maps stay near 1.
        std = np.sqrt(2 / fan_in) / (100 if channels == 3 else 1)
        weights[l["name"]] = [rng.normal(0, std, (3, 3, channels, c["filters"])),
                              rng.normal(0, 0.1, c["filters"])]
        channels = c["filters"]
    elif l["class_name"] == "Dense":
        fan_in = (SIZE // 4) ** 2 * channels if l["name"] == "fc1" else 16
        weights[l["name"]] = [rng.normal(0, np.sqrt(2 / fan_in), (fan_in, c["units"])), rng.normal(0, 0.1, c["units"])]
weights = {k: [w.astype(np.float32) for w in v] for k, v in weights.items()}


def conv_same(x, kernel, bias):
    h, w, _ = x.shape
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = np.zeros((h, w, kernel.shape[3]))
    for dy in range(3):
        for dx in range(3):
            out += padded[dy:dy + h, dx:dx + w, :] @ kernel[dy, dx].astype(np.float64)
    return np.maximum(out + bias, 0)


def max_pool(x):
    h, w, c = x.shape
    return x.reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))


def forward(rgb_unit):
    acts = {}
    x = rgb_unit[..., ::-1] * 255.0 - MEAN_BGR
    for l in layers[1:]:
        name = l["name"]
        if l["class_name"] == "Conv2D":
            x = conv_same(x, *weights[name])
        elif l["class_name"] == "MaxPooling2D":
            x = max_pool(x)
        elif l["class_name"] == "Flatten":
            x = x.reshape(-1)
        elif name == "fc1":
            x = np.maximum(x @ weights[name][0] + weights[name][1], 0)
        else:
            z = x @ weights[name][0] + weights[name][1]
            x = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        acts[name] = x
    return acts


def summarise(maps):
    first = maps[0]
    if first.ndim == 1:
        return {"shape": list(first.shape), "vectors": [m.tolist() for m in maps]}
    h, w, c = first.shape
    probes = [[0, 0], [h // 2, w // 2], [h - 1, w - 1]]
    return {"shape": [h, w, c], "means": [m.mean(axis=(0, 1)).tolist() for m in maps], "probes": probes,
            "probeValues": [[m[y, x, :16].tolist() for y, x in probes] for m in maps]}


def main(h5_path, fixture_path):
    with h5py.File(h5_path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf-8")
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = [l["name"].encode("utf-8") for l in layers]
        mw.attrs["keras_version"] = b"2.2.4"
        mw.attrs["backend"] = b"tensorflow"
        for l in layers:
            g = mw.create_group(l["name"])
            names = [f"{l['name']}/kernel:0", f"{l['name']}/bias:0"] if l["name"] in weights else []
            g.attrs["weight_names"] = [n.encode("utf-8") for n in names]
            for n, w in zip(names, weights.get(l["name"], [])):
                g.create_dataset(n, data=w)

    # Image 0: a smooth ramp; image 1: a checkerboard with a warm tint. Stored as bytes like the TF.js fixtures.
    images = []
    for k in range(2):
        y, x = np.mgrid[0:SIZE, 0:SIZE]
        if k == 0:
            rgb = np.stack([x * 16 % 256, y * 16 % 256, (x + y) * 8 % 256], axis=-1)
        else:
            board = ((x // 4 + y // 4) % 2) * 200 + 30
            rgb = np.stack([board, board * 0.6, 255 - board], axis=-1).round()
        images.append(rgb.astype(np.int64))
    acts = [forward(im / 255.0) for im in images]
    probe_layers = ["block1_conv2", "block2_conv1", "block2_pool", "fc1", "predictions"]
    fixture = {"made": "numpy " + np.__version__ + ", float64", "model": "tiny-vgg", "inputSize": SIZE,
               "images": [{"height": SIZE, "width": SIZE, "rgb": im.reshape(-1).tolist()} for im in images],
               "layers": {n: summarise([a[n] for a in acts]) for n in probe_layers}}
    with open(fixture_path, "w") as f:
        json.dump(fixture, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
