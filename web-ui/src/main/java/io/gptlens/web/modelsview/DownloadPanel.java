package io.gptlens.web.modelsview;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.models.DownloadService;

import java.nio.file.Path;

/**
 * The download form: a URL or Hugging Face name, an optional sha256, the Download button, and the
 * progress of the download it follows. Fires {@link DownloadAsked} on the button (the view checks
 * the token and starts it, then hands it to {@link #follow}), and {@link Downloaded} once the file
 * is in place.
 */
public class DownloadPanel extends VerticalLayout {

    /** The Download button was pressed: start downloading {@link #url()}. */
    public static class DownloadAsked extends ComponentEvent<DownloadPanel> {
        private final String url;
        private final String sha256;

        DownloadAsked(DownloadPanel source, String url, String sha256) {
            super(source, true);
            this.url = url;
            this.sha256 = sha256;
        }

        /** The URL or Hugging Face name as typed. */
        public String url() {
            return url;
        }

        /** The expected sha256 as typed, blank to skip the check. */
        public String sha256() {
            return sha256;
        }
    }

    /** The followed download finished without error: {@link #file()} is in place. */
    public static class Downloaded extends ComponentEvent<DownloadPanel> {
        private final Path file;

        Downloaded(DownloadPanel source, Path file) {
            super(source, false);
            this.file = file;
        }

        public Path file() {
            return file;
        }
    }

    private final TextField url = new TextField("Download: URL or Hugging Face owner/repo/file.gguf");
    private final TextField sha = new TextField("sha256 (optional)");
    private final Button download = new Button("Download");
    private final ProgressBar bar = new ProgressBar();
    private final Span status = new Span();
    private DownloadService.Download active;

    public DownloadPanel() {
        setPadding(false);
        setWidthFull();
        url.setId("download-url");
        url.setWidth("40em");
        sha.setId("download-sha256");
        sha.setWidth("20em");
        download.setId("download");
        download.addClickListener(e -> fireEvent(new DownloadAsked(this, url.getValue(), sha.getValue())));
        bar.setId("download-progress");
        bar.setVisible(false);
        status.setId("download-status");
        HorizontalLayout row = new HorizontalLayout(url, sha, download);
        row.setAlignItems(FlexComponent.Alignment.BASELINE);
        add(row, bar, status);
    }

    /** Says {@code text} where the download's progress goes (a refusal, a bad URL). */
    public void say(String text) {
        status.setText(text);
    }

    /** Follows {@code d}: shows it starting, then its progress on each {@link #poll}. */
    public void follow(DownloadService.Download d) {
        active = d;
        bar.setVisible(true);
        bar.setIndeterminate(true);
        status.setText("Starting " + d.url());
    }

    /** Shows the followed download's progress; when it is over, stops following it and, if it succeeded, fires {@link Downloaded}. */
    public void poll() {
        DownloadService.Download d = active;
        if (d == null) {
            return;
        }
        DownloadService.Progress p = d.progress();
        double f = p.fraction();
        bar.setIndeterminate(f < 0);
        if (f >= 0) {
            bar.setValue(f);
        }
        status.setText(d.target().getFileName() + ": " + p.describe());
        status.getElement().setAttribute("data-state", p.state().text());
        if (d.done().isDone()) {
            active = null;
            if (!d.done().isCompletedExceptionally()) {
                fireEvent(new Downloaded(this, d.target()));
            }
        }
    }

    public Registration addDownloadAskedListener(ComponentEventListener<DownloadAsked> l) {
        return addListener(DownloadAsked.class, l);
    }

    public Registration addDownloadedListener(ComponentEventListener<Downloaded> l) {
        return addListener(Downloaded.class, l);
    }
}
