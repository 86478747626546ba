package io.fastvm.node.testing;

import java.util.Locale;
import java.util.Map;

/**
 * Renders short text as large block letters (5x5 cells, each two full blocks U+2588 wide, which the
 * Linux console draws as solid cells), so a screenshot shows it plainly. At most 6 characters fit
 * an 80-column text screen.
 */
public final class BlockLetters {
  private BlockLetters() {}

  private static final Map<Character, String[]> FONT =
      Map.ofEntries(
          Map.entry('A', new String[] {".###.", "#...#", "#####", "#...#", "#...#"}),
          Map.entry('B', new String[] {"####.", "#...#", "####.", "#...#", "####."}),
          Map.entry('C', new String[] {".####", "#....", "#....", "#....", ".####"}),
          Map.entry('D', new String[] {"####.", "#...#", "#...#", "#...#", "####."}),
          Map.entry('E', new String[] {"#####", "#....", "####.", "#....", "#####"}),
          Map.entry('F', new String[] {"#####", "#....", "####.", "#....", "#...."}),
          Map.entry('G', new String[] {".####", "#....", "#..##", "#...#", ".###."}),
          Map.entry('H', new String[] {"#...#", "#...#", "#####", "#...#", "#...#"}),
          Map.entry('I', new String[] {"#####", "..#..", "..#..", "..#..", "#####"}),
          Map.entry('J', new String[] {"....#", "....#", "....#", "#...#", ".###."}),
          Map.entry('K', new String[] {"#...#", "#..#.", "###..", "#..#.", "#...#"}),
          Map.entry('L', new String[] {"#....", "#....", "#....", "#....", "#####"}),
          Map.entry('M', new String[] {"#...#", "##.##", "#.#.#", "#...#", "#...#"}),
          Map.entry('N', new String[] {"#...#", "##..#", "#.#.#", "#..##", "#...#"}),
          Map.entry('O', new String[] {".###.", "#...#", "#...#", "#...#", ".###."}),
          Map.entry('P', new String[] {"####.", "#...#", "####.", "#....", "#...."}),
          Map.entry('Q', new String[] {".###.", "#...#", "#.#.#", "#..#.", ".##.#"}),
          Map.entry('R', new String[] {"####.", "#...#", "####.", "#..#.", "#...#"}),
          Map.entry('S', new String[] {".####", "#....", ".###.", "....#", "####."}),
          Map.entry('T', new String[] {"#####", "..#..", "..#..", "..#..", "..#.."}),
          Map.entry('U', new String[] {"#...#", "#...#", "#...#", "#...#", ".###."}),
          Map.entry('V', new String[] {"#...#", "#...#", "#...#", ".#.#.", "..#.."}),
          Map.entry('W', new String[] {"#...#", "#...#", "#.#.#", "##.##", "#...#"}),
          Map.entry('X', new String[] {"#...#", ".#.#.", "..#..", ".#.#.", "#...#"}),
          Map.entry('Y', new String[] {"#...#", ".#.#.", "..#..", "..#..", "..#.."}),
          Map.entry('Z', new String[] {"#####", "...#.", "..#..", ".#...", "#####"}),
          Map.entry('0', new String[] {".###.", "#..##", "#.#.#", "##..#", ".###."}),
          Map.entry('1', new String[] {"..#..", ".##..", "..#..", "..#..", ".###."}),
          Map.entry('2', new String[] {"####.", "....#", ".###.", "#....", "#####"}),
          Map.entry('3', new String[] {"####.", "....#", ".###.", "....#", "####."}),
          Map.entry('4', new String[] {"#...#", "#...#", "#####", "....#", "....#"}),
          Map.entry('5', new String[] {"#####", "#....", "####.", "....#", "####."}),
          Map.entry('6', new String[] {".###.", "#....", "####.", "#...#", ".###."}),
          Map.entry('7', new String[] {"#####", "....#", "...#.", "..#..", "..#.."}),
          Map.entry('8', new String[] {".###.", "#...#", ".###.", "#...#", ".###."}),
          Map.entry('9', new String[] {".###.", "#...#", ".####", "....#", ".###."}),
          Map.entry('-', new String[] {".....", ".....", "#####", ".....", "....."}),
          Map.entry(' ', new String[] {".....", ".....", ".....", ".....", "....."}));

  /** Five lines of block letters; letters, digits, space and dash only, at most 6. */
  public static String render(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.isEmpty() || upper.length() > 6) {
      throw new IllegalArgumentException("1 to 6 characters fit the screen: " + text);
    }
    StringBuilder out = new StringBuilder();
    for (int row = 0; row < 5; row++) {
      StringBuilder line = new StringBuilder();
      for (char c : upper.toCharArray()) {
        String[] glyph = FONT.get(c);
        if (glyph == null) {
          throw new IllegalArgumentException("no block letter for '" + c + "'");
        }
        for (char cell : glyph[row].toCharArray()) {
          line.append(cell == '#' ? "\u2588\u2588" : "  ");
        }
        line.append("  ");
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
