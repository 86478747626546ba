package io.fastvm.console.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A screen image as packed RGB bytes, to compare what a browser shows with the guest's screen. */
public record Screen(int width, int height, byte[] rgb) {

  public static Screen fromPpm(byte[] ppm) {
    // P6\n<w> <h>\n255\n<rgb...> (QEMU writes no comments)
    int offset = 0;
    String[] fields = new String[4];
    for (int i = 0; i < 4; i++) {
      while (Character.isWhitespace(ppm[offset])) {
        offset++;
      }
      int start = offset;
      while (!Character.isWhitespace(ppm[offset])) {
        offset++;
      }
      fields[i] = new String(ppm, start, offset - start, StandardCharsets.US_ASCII);
    }
    offset++;
    int width = Integer.parseInt(fields[1]);
    int height = Integer.parseInt(fields[2]);
    byte[] rgb = new byte[width * height * 3];
    System.arraycopy(ppm, offset, rgb, 0, rgb.length);
    return new Screen(width, height, rgb);
  }

  /** From RGBA bytes (a canvas' ImageData). */
  public static Screen fromRgba(int width, int height, byte[] rgba) {
    byte[] rgb = new byte[width * height * 3];
    for (int i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return new Screen(width, height, rgb);
  }

  /** Share of pixels that differ by more than {@code tolerance} in some channel. */
  public double differenceFrom(Screen other, int tolerance) {
    if (width != other.width || height != other.height) {
      return 1.0;
    }
    long different = 0;
    for (int p = 0; p < rgb.length; p += 3) {
      for (int c = 0; c < 3; c++) {
        if (Math.abs((rgb[p + c] & 0xff) - (other.rgb[p + c] & 0xff)) > tolerance) {
          different++;
          break;
        }
      }
    }
    return different / (double) (width * height);
  }

  /** Pixels brighter than the background: the text on a text-mode screen. */
  public long litPixels() {
    long lit = 0;
    for (int p = 0; p < rgb.length; p += 3) {
      if ((rgb[p] & 0xff) + (rgb[p + 1] & 0xff) + (rgb[p + 2] & 0xff) > 300) {
        lit++;
      }
    }
    return lit;
  }

  public void writePng(Path file) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = (y * width + x) * 3;
        image.setRGB(
            x, y, ((rgb[p] & 0xff) << 16) | ((rgb[p + 1] & 0xff) << 8) | (rgb[p + 2] & 0xff));
      }
    }
    ImageIO.write(image, "png", file.toFile());
  }
}
