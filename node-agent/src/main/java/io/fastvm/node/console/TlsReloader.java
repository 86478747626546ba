package io.fastvm.node.console;

import io.fastvm.contract.console.TlsMaterial;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The TLS context of a console endpoint, kept up to date with a mounted Secret: the operator renews
 * the certificate before it expires (and re-issues it when the CA changes), the kubelet swaps the
 * files, and connections accepted from then on use the new material. Bad new material is logged and
 * the last good context stays in use.
 */
public final class TlsReloader {
  private static final System.Logger LOG = System.getLogger(TlsReloader.class.getName());

  private final Path dir;
  private final long intervalNanos;
  private TlsMaterial material;
  private SSLContext context;
  private long checkedAt;

  private TlsReloader(Path dir, Duration interval, TlsMaterial material)
      throws GeneralSecurityException {
    this.dir = dir;
    this.intervalNanos = interval.toNanos();
    this.material = material;
    this.context = material.sslContext();
    this.checkedAt = System.nanoTime();
  }

  /** Fixed material, never re-read (tests, benchmarks). */
  public static TlsReloader fixed(TlsMaterial material) throws GeneralSecurityException {
    return new TlsReloader(null, Duration.ZERO, material);
  }

  /**
   * Reads {@code tls.crt}, {@code tls.key} and {@code ca.crt} from {@code dir} now (failing on
   * missing or unusable material) and again at most every {@code interval} when a connection comes.
   */
  public static TlsReloader fromDirectory(Path dir, Duration interval)
      throws IOException, GeneralSecurityException {
    return new TlsReloader(dir, interval, TlsMaterial.fromDirectory(dir));
  }

  /** The context for a new connection. */
  public synchronized SSLContext context() {
    if (dir != null && System.nanoTime() - checkedAt >= intervalNanos) {
      checkedAt = System.nanoTime();
      try {
        TlsMaterial now = TlsMaterial.fromDirectory(dir);
        if (!now.equals(material)) {
          context = now.sslContext();
          material = now;
          LOG.log(Level.INFO, "console endpoint: new TLS material from " + dir + " in use");
        }
      } catch (IOException | GeneralSecurityException e) {
        LOG.log(
            Level.WARNING,
            "console endpoint: cannot reload TLS material from "
                + dir
                + ", keeping the last: "
                + e);
      }
    }
    return context;
  }

  /** The leaf certificate in use now (for logs). */
  public synchronized java.security.cert.X509Certificate firstCertificate() {
    try {
      return material.certificateChain().get(0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
