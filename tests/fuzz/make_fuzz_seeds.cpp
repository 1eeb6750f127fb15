// Writes the synthetic seed corpus of the fuzz targets into <dir>/<target>/.
// Everything is generated here (a tiny random network, drawn images, a
// made-up manifest), so the corpus holds no patient or dataset images.
#include <torch/torch.h>

#include "container.h"
#include "engine.h"
#include "imageio.h"
#include "modelio.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace cytodiff;

namespace {

void write(const std::filesystem::path &path, const std::string &bytes)
{
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

// A 20x20 disc on a pale background, roughly what a stained cell crop is.
imaging::Rgb8Image disc(int size)
{
    imaging::Rgb8Image image{size, size, std::vector<std::uint8_t>(std::size_t(size) * size * 3, 230)};
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            if (std::hypot(x - size / 2.0, y - size / 2.0) < size / 3.0) {
                auto *p = &image.pixels[(std::size_t(y) * size + x) * 3];
                p[0] = 120, p[1] = 60, p[2] = 160;
            }
    return image;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_seeds <corpus dir>\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];

    // Images: the PNG encoder is ours; a BMP and TIFF are written by hand.
    auto png = imaging::encodePng(disc(20));
    if (!png)
        return 1;
    write(dir / "fuzz_imagedecode" / "disc.png", *png);
    const auto pixels = disc(20);
    const cv::Mat rgb(20, 20, CV_8UC3, const_cast<std::uint8_t *>(pixels.pixels.data()));
    for (const char *extension : {".jpg", ".bmp", ".tif"}) {
        std::vector<std::uint8_t> encoded;
        cv::imencode(extension, rgb, encoded);
        write(dir / "fuzz_imagedecode" / (std::string("disc") + extension), std::string(encoded.begin(), encoded.end()));
    }
    write(dir / "fuzz_filenames" / "flat.txt", "SNE_1.jpg\nLY_2.png\nfoo.txt\n.hidden\nThumbs.db\n");
    write(dir / "fuzz_filenames" / "classes.txt", "neutrophil/a.jpg\nIG/MY_1.jpg\nUnidentified/x.png\nblast/deep/y.jpg\n");
    write(dir / "fuzz_filenames" / "cases.txt", "case1/SNE_1.jpg\ncase2/lymphocyte/2.png\nempty/\n");
    write(dir / "fuzz_filenames" / "manifest.txt",
          "a.jpg\n--\nimage_path;case_id;label_code;x;y\na.jpg;C1;SNE;1.5;2\n\"b\"\"c.jpg\";C2;XYZ;;\n");
    write(dir / "fuzz_manifest" / "basic.csv",
          "\xEF\xBB\xBFimage_path,case_id,slide_id,label_code,x,y\r\n"
          "img/1.jpg,CASE-1,S1,SNE,10.5,20\r\n\"img/2,x.jpg\",CASE-1,S1,\"L\"\"Y\",,\r\n");
    write(dir / "fuzz_manifest" / "tabs.csv", "label_code\timage_path\nMY\t\"multi\nline.png\"\nPLT\tp.bmp\n");

    // The model: the smallest network the loader accepts, random weights,
    // as a whole file (mode byte 0) and taken apart (mode byte 1).
    engine::ModelCard card;
    card.classNames = {"neutrophil", "lymphocyte"};
    card.cropSize = 16;
    card.network.resolution = 8;
    card.network.baseChannels = 2;
    card.network.channelMults = {1};
    card.network.resBlocks = 1;
    card.network.embedDim = 4;
    card.network.numClasses = 2;
    card.network.midAttention = false;
    engine::UNet network(card.network);
    const std::string modelPath = (dir / "model.tmp").string();
    if (auto saved = engine::saveDiffusionModel(modelPath, card, network); !saved) {
        std::cerr << saved.error() << "\n";
        return 1;
    }
    std::ifstream in(modelPath, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(modelPath);
    auto container = engine::parseContainer(bytes, "model", modelPath);
    if (!container) {
        std::cerr << container.error() << "\n";
        return 1;
    }
    write(dir / "fuzz_modelfile" / "whole.bin", std::string(1, '\0') + bytes);
    std::string metadata;
    for (const auto &[key, value] : container->metadata)
        metadata += key + "=" + engine::escapeValue(value) + "\n";
    // Odd first byte: the metadata text alone (the target supplies the weights).
    write(dir / "fuzz_modelfile" / "parts.bin", std::string(1, '\1') + metadata);
    std::cout << "seeds written to " << dir << "\n";
    return 0;
}
