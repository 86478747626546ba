package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A corpus of realistic cloud-configs (src/test/resources/io/fastvm/cloudinit/corpus), checked by
 * our validator and by the real {@code cloud-init schema} of Debian's cloud-init 22.4 ({@link
 * CloudInitCli} says how it reports). {@code good/} is valid to both, {@code bad/} invalid to both,
 * {@code stricter/} refused by us and accepted by cloud-init, each for a reason listed in {@link
 * #STRICTER}. Each bad or stricter file says on its second line where and what we report: {@code #
 * expect line N: text}.
 */
class CloudConfigCorpusTest {

  /** Where we refuse what cloud-init 22.4 accepts, and why refusing is right. */
  static final Map<String, String> STRICTER =
      Map.of(
          "01-duplicate-runcmd.yaml",
          "PyYAML keeps the last of two equal keys without a word, so the first runcmd would"
              + " never run; nobody writes a key twice meaning that",
          "02-apt-mirror-not-a-uri.yaml",
          "the schema says format uri; Debian's cloud-init skips format checks it lacks a Python"
              + " package for (rfc3987), and apt cannot use a mirror without a scheme",
          "03-ntp-server-not-a-hostname.yaml",
          "the schema says format hostname, unchecked on Debian for want of python3 fqdn; no NTP"
              + " client can resolve a name with a space",
          "04-phone-home-url-not-a-uri.yaml",
          "format uri as for the apt mirror: phone_home cannot post to a URL without a scheme");

  private static final Pattern EXPECT = Pattern.compile("# expect line (\\d+): (.*)");

  static Path corpus() throws URISyntaxException {
    return Path.of(CloudConfigCorpusTest.class.getResource("corpus").toURI());
  }

  static List<Path> files(String kind) throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(corpus().resolve(kind))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** Our verdict on a file given as a CloudInitConfig's raw user-data. */
  static List<SeedProblem> ours(Path file) throws IOException {
    String userData = Files.readString(file);
    CloudInitConfigSpec spec = new CloudInitConfigSpec(null, null, null, null, null, userData);
    return SeedValidator.check(spec, userData, null);
  }

  @Test
  void corpusIsLargeEnough() throws Exception {
    assertThat(files("good")).hasSizeGreaterThanOrEqualTo(20);
    assertThat(files("bad")).hasSizeGreaterThanOrEqualTo(20);
    assertThat(files("stricter").stream().map(f -> f.getFileName().toString()))
        .containsExactlyInAnyOrderElementsOf(STRICTER.keySet());
  }

  @TestFactory
  Stream<DynamicTest> oursAcceptsTheGoodOnes() throws Exception {
    return files("good").stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    "good/" + f.getFileName(),
                    () ->
                        assertThat(ours(f))
                            .as("problems we find in %s", f.getFileName())
                            .isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> oursReportsTheBadOnesAtTheirLine() throws Exception {
    List<Path> all = new ArrayList<>(files("bad"));
    all.addAll(files("stricter"));
    return all.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getParent().getFileName() + "/" + f.getFileName(),
                    () -> {
                      String second = Files.readAllLines(f).get(1);
                      Matcher expect = EXPECT.matcher(second);
                      assertThat(expect.matches())
                          .as("%s line 2 is `# expect line N: text`", f.getFileName())
                          .isTrue();
                      int line = Integer.parseInt(expect.group(1));
                      assertThat(ours(f))
                          .as("problems of %s", f.getFileName())
                          .anySatisfy(
                              p -> {
                                assertThat(p.field()).isEqualTo("spec.userData");
                                assertThat(p.line()).isEqualTo(line);
                                assertThat(p.message()).contains(expect.group(2));
                              });
                    }));
  }

  /**
   * The real cloud-init on every file: where it refuses, we must too; where it accepts and we do
   * not, the file must be one of {@link #STRICTER}.
   */
  @Test
  void cloudInitAgreesExceptWhereWeAreStricterForAReason() throws Exception {
    Prerequisites.cloudInit();
    Map<String, Path> all = new TreeMap<>();
    for (String kind : List.of("good", "bad", "stricter")) {
      files(kind).forEach(f -> all.put(kind + "/" + f.getFileName(), f));
    }
    // About a second per run of the CLI (Python start-up): two at a time on two cores.
    Map<String, Future<CloudInitCli.Verdict>> verdicts = new TreeMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      all.forEach((name, f) -> verdicts.put(name, pool.submit(() -> CloudInitCli.schema(f))));
      List<String> disagreements = new ArrayList<>();
      for (Map.Entry<String, Path> e : all.entrySet()) {
        String name = e.getKey();
        CloudInitCli.Verdict theirs = verdicts.get(name).get();
        List<SeedProblem> mine = ours(e.getValue());
        String file = e.getValue().getFileName().toString();
        if (!theirs.valid() && mine.isEmpty()) {
          disagreements.add(name + ": cloud-init refuses it, we accept it:\n" + theirs.output());
        } else if (theirs.valid() && !mine.isEmpty() && !name.startsWith("stricter/")) {
          disagreements.add(
              name + ": cloud-init accepts it, we refuse it (not listed as stricter): " + mine);
        } else if (name.startsWith("good/") && !theirs.valid()) {
          disagreements.add(name + ": in good/ but cloud-init refuses it:\n" + theirs.output());
        } else if (name.startsWith("bad/") && theirs.valid()) {
          disagreements.add(name + ": in bad/ but cloud-init accepts it");
        } else if (name.startsWith("stricter/")
            && (!theirs.valid() || !STRICTER.containsKey(file))) {
          disagreements.add(
              name + ": in stricter/ but cloud-init refuses it, or it has no reason in STRICTER");
        }
      }
      assertThat(disagreements).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
