package io.fastvm.node.volume.populate;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a file at given offsets, leaving 4 KiB blocks of zeros unwritten (holes), like {@code
 * qemu-img convert -S 4k}: a raw image downloaded as-is then takes only the space of its data. The
 * holes read as zeros since nothing is ever written twice: the file only grows, or starts over from
 * empty ({@link #reset()}).
 *
 * <p>Durability: one {@code fsync} in {@link #finish(long)}, none per chunk. So that the final one
 * does not have to write the whole image out, the file's dirty pages are pushed to the disk in the
 * background every {@link #WRITE_BACK_EVERY} bytes, by one other thread, while the download goes
 * on: the total time is then about the slower of network and disk rather than their sum.
 */
final class SparseFileWriter implements AutoCloseable {
  static final int BLOCK = 4096;
  static final long WRITE_BACK_EVERY = 64L << 20;
  private static final byte[] ZEROS = new byte[BLOCK];

  private final RandomAccessFile file;
  private final FileChannel channel;
  private final long writeBackEvery;
  private final ExecutorService writeBack;
  private Future<?> pendingWriteBack;
  private long notWrittenBack;

  private SparseFileWriter(RandomAccessFile file, long writeBackEvery) {
    this.file = file;
    this.channel = file.getChannel();
    this.writeBackEvery = writeBackEvery;
    this.writeBack =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("download-write-back").daemon().factory());
  }

  /** A new, empty file (an existing one is emptied). */
  static SparseFileWriter create(Path path) throws IOException {
    return create(path, WRITE_BACK_EVERY);
  }

  /** As {@link #create(Path)}, pushing dirty pages to disk every {@code writeBackEvery} bytes. */
  static SparseFileWriter create(Path path, long writeBackEvery) throws IOException {
    RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
    try {
      file.setLength(0);
      return new SparseFileWriter(file, writeBackEvery);
    } catch (IOException e) {
      file.close();
      throw e;
    }
  }

  /** Writes {@code buf[off, off+len)} at {@code position}, skipping whole blocks of zeros. */
  void write(byte[] buf, int off, int len, long position) throws IOException {
    int end = off + len;
    int runStart = -1; // start (in buf) of the data not yet written
    int i = off;
    while (i < end) {
      // Blocks are aligned to the file, so that a skipped block is a hole the file system keeps.
      int blockLen = (int) Math.min(end - i, BLOCK - ((position + (i - off)) % BLOCK));
      boolean zero = Arrays.mismatch(buf, i, i + blockLen, ZEROS, 0, blockLen) < 0;
      if (zero && runStart >= 0) {
        writeFully(buf, runStart, i - runStart, position + (runStart - off));
        runStart = -1;
      } else if (!zero && runStart < 0) {
        runStart = i;
      }
      i += blockLen;
    }
    if (runStart >= 0) {
      writeFully(buf, runStart, end - runStart, position + (runStart - off));
    }
  }

  private void writeFully(byte[] buf, int off, int len, long position) throws IOException {
    ByteBuffer data = ByteBuffer.wrap(buf, off, len);
    while (data.hasRemaining()) {
      position += channel.write(data, position);
    }
    notWrittenBack += len;
    if (notWrittenBack >= WRITE_BACK_EVERY
        && (pendingWriteBack == null || pendingWriteBack.isDone())) {
      awaitWriteBack(); // reports a failure of the last one
      notWrittenBack = 0;
      pendingWriteBack =
          writeBack.submit(
              () -> {
                channel.force(false);
                return null;
              });
    }
  }

  /** Waits for the background write-back, if one runs, and reports its failure. */
  private void awaitWriteBack() throws IOException {
    if (pendingWriteBack == null) {
      return;
    }
    try {
      pendingWriteBack.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the download was written to disk");
    } finally {
      pendingWriteBack = null;
    }
  }

  /** Empties the file, to start over. */
  void reset() throws IOException {
    awaitWriteBack();
    channel.truncate(0);
  }

  /**
   * Sets the file's length (trailing zeros were not written) and forces it to disk: once, before
   * the file is renamed.
   */
  void finish(long length) throws IOException {
    awaitWriteBack();
    file.setLength(length);
    channel.force(true);
  }

  @Override
  public void close() throws IOException {
    writeBack.shutdownNow();
    file.close();
  }
}
