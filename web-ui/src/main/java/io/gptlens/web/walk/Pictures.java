package io.gptlens.web.walk;

import io.gptlens.core.model.AttentionPattern;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;

/**
 * The walk's server-drawn pictures. Dense pictures (a W_E row of 896 values, a 512 × 512 attention
 * pattern) are PNGs, one pixel per number, scaled by the browser without smoothing: the page gets a
 * few kilobytes instead of tens of thousands of DOM nodes. Sparse ones (a histogram) are SVG text.
 * Token text only ever reaches SVG through {@link #xml(String)}.
 */
final class Pictures {

    private Pictures() {
    }

    /** A diverging colour for {@code v} in [-1, 1]: blue below zero, white at zero, red above. */
    static int diverging(double v) {
        double a = Math.min(1, Math.abs(v));
        int fade = (int) Math.round(255 * (1 - a));
        return v < 0 ? (fade << 16) | (fade << 8) | 0xff : (0xff << 16) | (fade << 8) | fade;
    }

    /** One W_E row as a one-pixel-high strip, colour scaled to the row's largest magnitude. */
    static String strip(float[] row) {
        float max = 1e-12f;
        for (float v : row) {
            max = Math.max(max, Math.abs(v));
        }
        BufferedImage img = new BufferedImage(row.length, 1, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < row.length; i++) {
            img.setRGB(i, 0, diverging(row[i] / max));
        }
        return png(img);
    }

    /** An attention pattern, a row per query and a column per key, blue by the square root of the weight so small weights show. */
    static String attention(AttentionPattern p) {
        int rows = p.queryTo() - p.queryFrom();
        int keys = p.keys();
        BufferedImage img = new BufferedImage(Math.max(1, keys), Math.max(1, rows), BufferedImage.TYPE_INT_RGB);
        for (int q = p.queryFrom(); q < p.queryTo(); q++) {
            float[] row = p.row(q);
            for (int k = 0; k < keys; k++) {
                double v = k <= q ? Math.sqrt(Math.max(0, Math.min(1, row[k]))) : 0;
                int r = (int) Math.round(255 - v * (255 - 51));
                int g = (int) Math.round(255 - v * (255 - 103));
                int b = (int) Math.round(255 - v * (255 - 214));
                img.setRGB(k, q - p.queryFrom(), (r << 16) | (g << 8) | b);
            }
        }
        return png(img);
    }

    private static String png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Text for SVG or HTML markup. */
    static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 ? ' ' : c);
            }
        }
        return b.toString();
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
