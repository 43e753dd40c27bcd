package org.detrain.report;

import de.erichseifert.vectorgraphics2d.Processor;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.VectorHints;
import de.erichseifert.vectorgraphics2d.pdf.PDFProcessor;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.detrain.util.DetrainException;

/**
 * A {@link FigureCanvas} as a file: PNG (a bitmap at {@link #PNG_SCALE} pixels per point), PDF and
 * SVG (vector, drawn through VectorGraphics2D, the library behind XChart's own vector encoder; the
 * figure is several XChart charts on one page, which XChart's encoder cannot compose).
 */
public enum FigureFiles {
    PNG, PDF, SVG;

    /** Pixels per point of the PNG: sharp on high-density screens and in print. */
    static final double PNG_SCALE = 2;

    /** The file extension, without the dot. */
    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }

    byte[] encode(FigureCanvas canvas) {
        return this == PNG ? png(canvas) : vector(canvas, this == PDF ? new PDFProcessor(true) : new SVGProcessor());
    }

    /**
     * The formats a comma-separated list names (png, pdf, svg), PNG first when named: report.md shows PNGs.
     *
     * @throws DetrainException if a name is none of them
     */
    static List<FigureFiles> parse(String list) {
        List<FigureFiles> out = Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw DetrainException.badInput("--formats: '" + s + "' is not a figure format; use png, pdf and svg"
                        + " (comma-separated)");
            }
        }).distinct().sorted().toList();
        if (out.isEmpty()) {
            throw DetrainException.badInput("--formats names no format; use png, pdf and svg (comma-separated)");
        }
        return out;
    }

    private static byte[] png(FigureCanvas canvas) {
        BufferedImage image = new BufferedImage((int) Math.ceil(canvas.width() * PNG_SCALE),
                (int) Math.ceil(canvas.height() * PNG_SCALE), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.scale(PNG_SCALE, PNG_SCALE);
            canvas.paint(g);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw DetrainException.runFailure("this Java has no PNG writer (javax.imageio); use a full JDK 17", null);
            }
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot encode a PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Millimetres per point: VectorGraphics2D's pages and units are millimetres, the canvas's points. */
    private static final double MM_PER_POINT = 25.4 / 72;

    private static byte[] vector(FigureCanvas canvas, Processor processor) {
        VectorGraphics2D g = new VectorGraphics2D();
        // text as outlines: the file needs no font, and every character (κ, ‖, ⁻⁴) comes out as drawn
        g.setRenderingHint(VectorHints.KEY_TEXT, VectorHints.VALUE_TEXT_VECTOR);
        g.scale(MM_PER_POINT, MM_PER_POINT);
        canvas.paint(g);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            processor.getDocument(g.getCommands(), new PageSize(0, 0, canvas.width() * MM_PER_POINT,
                    canvas.height() * MM_PER_POINT)).writeTo(bytes);
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot encode a vector figure: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
