package io.fastvm.console.link;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.fastvm.console.auth.UserInfo;
import io.fastvm.contract.console.ConsoleChannel;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs and checks link tokens: compact JWS (ES256) JWTs of type {@value #TYPE}, issued and
 * addressed to the proxy itself, carrying the {@link LinkClaims}. Verification checks the
 * algorithm, type, issuer, audience, signature and expiry; the caller checks the binding and the
 * replay cache.
 */
public final class LinkSigner {
  public static final String TYPE = "fastvm-console-link+jwt";
  public static final String ISSUER = "fastvm-console-proxy";

  private final ECKey key;
  private final ECDSASigner signer;
  private final ECDSAVerifier verifier;
  private final Clock clock;

  public LinkSigner(ECKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key);
      this.verifier = new ECDSAVerifier(key.toPublicJWK());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable signing key", e);
    }
  }

  public String sign(LinkClaims claims) {
    UserInfo user = claims.user();
    JWTClaimsSet set =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(ISSUER)
            .subject(user.username())
            .jwtID(claims.id())
            .issueTime(Date.from(claims.issuedAt()))
            .expirationTime(Date.from(claims.expiresAt()))
            .claim("uid", user.uid())
            .claim("groups", user.groups())
            .claim("extra", user.extra())
            .claim("ns", claims.namespace())
            .claim("vm", claims.vm())
            .claim("vmuid", claims.vmUid())
            .claim("proto", claims.protocol().wireName())
            .claim("viewOnly", claims.viewOnly())
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(new JOSEObjectType(TYPE))
                .keyID(key.getKeyID())
                .build(),
            set);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a console link", e);
    }
    return jwt.serialize();
  }

  public LinkClaims verify(String token) throws LinkRejectedException {
    SignedJWT jwt;
    JWTClaimsSet set;
    try {
      jwt = SignedJWT.parse(token);
      JWSHeader header = jwt.getHeader();
      if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())
          || header.getType() == null
          || !TYPE.equals(header.getType().getType())
          || !jwt.verify(verifier)) {
        throw new LinkRejectedException(LinkRejection.INVALID, "bad signature");
      }
      set = jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw new LinkRejectedException(LinkRejection.INVALID, "malformed token");
    }
    try {
      if (!ISSUER.equals(set.getIssuer())
          || set.getAudience() == null
          || !set.getAudience().contains(ISSUER)
          || set.getExpirationTime() == null
          || set.getJWTID() == null
          || set.getSubject() == null) {
        throw new LinkRejectedException(LinkRejection.INVALID, "not a console link");
      }
      Instant expires = set.getExpirationTime().toInstant();
      if (!clock.instant().isBefore(expires)) {
        throw new LinkRejectedException(LinkRejection.EXPIRED, "link expired at " + expires);
      }
      ConsoleChannel protocol =
          ConsoleChannel.parse(set.getStringClaim("proto"))
              .orElseThrow(
                  () -> new LinkRejectedException(LinkRejection.INVALID, "unknown protocol"));
      UserInfo user =
          new UserInfo(
              set.getSubject(),
              set.getStringClaim("uid"),
              set.getStringListClaim("groups"),
              extra(set.getJSONObjectClaim("extra")));
      return new LinkClaims(
          set.getJWTID(),
          user,
          set.getStringClaim("ns"),
          set.getStringClaim("vm"),
          set.getStringClaim("vmuid"),
          protocol,
          Boolean.TRUE.equals(set.getBooleanClaim("viewOnly")),
          set.getIssueTime() == null ? null : set.getIssueTime().toInstant(),
          expires);
    } catch (ParseException e) {
      throw new LinkRejectedException(LinkRejection.INVALID, "malformed claims");
    }
  }

  private static Map<String, List<String>> extra(Map<String, Object> json) {
    Map<String, List<String>> extra = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(
          (k, v) -> {
            List<String> values = new ArrayList<>();
            if (v instanceof List<?> list) {
              list.forEach(item -> values.add(String.valueOf(item)));
            }
            extra.put(k, values);
          });
    }
    return extra;
  }
}
