package io.fastvm.contract.console.pki;

import io.fastvm.contract.console.TlsMaterial;

/**
 * A certificate issued by the console CA, in the PEM shape of a Kubernetes TLS Secret.
 *
 * @param certificatePem the leaf certificate
 * @param privateKeyPem its PKCS#8 private key
 * @param caPem the CA certificate that issued it (and that peers must chain to)
 */
public record IssuedCertificate(String certificatePem, String privateKeyPem, String caPem) {

  public TlsMaterial toTlsMaterial() {
    return new TlsMaterial(certificatePem, privateKeyPem, caPem);
  }
}
