package io.fastvm.console.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.console.auth.UserInfo;
import io.fastvm.console.testing.MutableClock;
import io.fastvm.contract.console.ConsoleChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkSignerTest {
  final MutableClock clock = MutableClock.systemNow();
  final LinkSigner signer = new LinkSigner(SigningKeyStore.generate(), clock);
  final UserInfo alice =
      new UserInfo("alice", "u-1", List.of("students"), Map.of("scopes", List.of("a", "b")));

  LinkClaims claims() {
    Instant now = clock.instant();
    return new LinkClaims(
        "id-1",
        alice,
        "lab",
        "vm1",
        "vm-uid",
        ConsoleChannel.SERIAL,
        true,
        now,
        now.plusSeconds(60));
  }

  @Test
  void claimsSurviveTheRoundTrip() throws Exception {
    LinkClaims verified = signer.verify(signer.sign(claims()));
    assertThat(verified.user()).isEqualTo(alice);
    assertThat(verified.namespace()).isEqualTo("lab");
    assertThat(verified.vm()).isEqualTo("vm1");
    assertThat(verified.vmUid()).isEqualTo("vm-uid");
    assertThat(verified.protocol()).isEqualTo(ConsoleChannel.SERIAL);
    assertThat(verified.viewOnly()).isTrue();
    assertThat(verified.id()).isEqualTo("id-1");
  }

  @Test
  void expiredTokensAreRefused() {
    String token = signer.sign(claims());
    clock.advance(Duration.ofSeconds(60));
    assertThatThrownBy(() -> signer.verify(token))
        .isInstanceOf(LinkRejectedException.class)
        .extracting(e -> ((LinkRejectedException) e).rejection())
        .isEqualTo(LinkRejection.EXPIRED);
  }

  @Test
  void tokensOfAnotherKeyOrAlteredAreInvalid() {
    String foreign = new LinkSigner(SigningKeyStore.generate(), clock).sign(claims());
    String token = signer.sign(claims());
    String altered = token.substring(0, token.length() - 3) + (token.endsWith("A") ? "BBB" : "AAA");
    for (String bad : List.of(foreign, altered, "", "a.b.c", token + ".x")) {
      assertThatThrownBy(() -> signer.verify(bad))
          .isInstanceOf(LinkRejectedException.class)
          .extracting(e -> ((LinkRejectedException) e).rejection())
          .isEqualTo(LinkRejection.INVALID);
    }
  }

  @Test
  void unsignedTokensAreInvalid() {
    // {"alg":"none"} with the same claims
    String token = signer.sign(claims());
    String none =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"fastvm-console-link+jwt\"}".getBytes())
            + "."
            + token.split("\\.")[1]
            + ".";
    assertThatThrownBy(() -> signer.verify(none)).isInstanceOf(LinkRejectedException.class);
  }

  @Test
  void eachTokenIdRedeemsOnce() {
    ReplayCache cache = new ReplayCache(clock);
    Instant expiry = clock.instant().plusSeconds(60);
    assertThat(cache.firstUse("a", expiry)).isTrue();
    assertThat(cache.firstUse("a", expiry)).isFalse();
    assertThat(cache.firstUse("b", expiry)).isTrue();
  }
}
