import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/**
 * After the tests: counts what ran, prints every skipped test with its reason, and fails when a
 * test was skipped that must run on this machine (all but those listed in dev/allowed-skips.txt).
 * A skipped test counted as passing would hide a missing prerequisite.
 *
 * <p>Usage: java dev/TestReport.java ROOT
 */
public class TestReport {
  record Skip(String test, String reason) {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    List<String> allowed = allowed(root.resolve("dev/allowed-skips.txt"));
    Map<String, int[]> perModule = new TreeMap<>();
    List<Skip> skips = new ArrayList<>();
    List<Path> reports;
    try (Stream<Path> walk = Files.walk(root, 4)) {
      reports =
          walk.filter(p -> p.getParent() != null && p.getParent().endsWith("surefire-reports"))
              .filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
              .sorted()
              .toList();
    }
    var factory = DocumentBuilderFactory.newInstance();
    for (Path report : reports) {
      String module = root.relativize(report).getName(0).toString();
      var doc = factory.newDocumentBuilder().parse(report.toFile());
      var cases = doc.getElementsByTagName("testcase");
      int[] counts = perModule.computeIfAbsent(module, m -> new int[2]);
      for (int i = 0; i < cases.getLength(); i++) {
        Element testCase = (Element) cases.item(i);
        counts[0]++;
        var skipped = testCase.getElementsByTagName("skipped");
        if (skipped.getLength() > 0) {
          counts[1]++;
          skips.add(
              new Skip(
                  testCase.getAttribute("classname") + "." + testCase.getAttribute("name"),
                  reason((Element) skipped.item(0))));
        }
      }
    }
    int total = perModule.values().stream().mapToInt(c -> c[0]).sum();
    StringBuilder line = new StringBuilder("tests: " + total);
    perModule.forEach((m, c) -> line.append(", ").append(m).append(" ").append(c[0]));
    System.out.println(line);
    System.out.println("skipped: " + skips.size());
    List<Skip> forbidden = new ArrayList<>();
    for (Skip skip : skips) {
      boolean ok = allowed.stream().anyMatch(a -> skip.test().startsWith(a + "."));
      System.out.println("  " + (ok ? "" : "NOT ALLOWED ") + skip.test() + ": " + skip.reason());
      if (!ok) {
        forbidden.add(skip);
      }
    }
    if (total == 0) {
      System.err.println("no test reports found under " + root.toAbsolutePath());
      System.exit(1);
    }
    if (!forbidden.isEmpty()) {
      System.err.println(
          forbidden.size()
              + " test(s) skipped that must run here (see dev/allowed-skips.txt): install what"
              + " their reasons name");
      System.exit(1);
    }
  }

  /** The skip's message, else the first line of the assumption failure surefire recorded. */
  private static String reason(Element skipped) {
    String message = skipped.getAttribute("message");
    if (message.isBlank()) {
      message = skipped.getTextContent().strip().lines().findFirst().orElse("");
      message = message.replaceFirst("^org\\.opentest4j\\.TestAbortedException: ", "");
    }
    return message.isBlank() ? "(no reason given)" : message;
  }

  private static List<String> allowed(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream()
        .map(l -> l.replaceAll("#.*", "").strip())
        .filter(l -> !l.isEmpty())
        .toList();
  }
}
