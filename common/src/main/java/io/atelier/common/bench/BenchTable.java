package io.atelier.common.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header, rows of cells, printed with aligned columns. */
public final class BenchTable {
    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public BenchTable(String title, String... header) {
        this.title = title;
        this.header = List.of(header);
    }

    public BenchTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c instanceof Double d ? String.format("%.2f", d) : String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    public BenchTable note(String note) {
        notes.add(note);
        return this;
    }

    public List<List<String>> rows() {
        return rows;
    }

    public void print(PrintStream out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], i < r.size() ? r.get(i).length() : 0);
            }
        }
        out.println(title);
        printRow(out, header, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append("-".repeat(w)).append("  ");
        }
        out.println(rule.toString().stripTrailing());
        for (List<String> r : rows) {
            printRow(out, r, width);
        }
        for (String n : notes) {
            out.println(n);
        }
    }

    private static void printRow(PrintStream out, List<String> cells, int[] width) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            s.append(String.format("%-" + width[i] + "s  ", c));
        }
        out.println(s.toString().stripTrailing());
    }
}
