package io.gptlens.web.playground;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.List;

/** The distribution after each stage of the chain: candidates left, how many the stage removed, the top tokens. */
public class PipelinePanel extends Div {

    static final int TOP = 5;

    public PipelinePanel() {
        setId("pipeline");
    }

    public void show(List<ChainPreview.Snapshot> snapshots, Tokenizer t) {
        removeAll();
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element header = new Element("tr");
        for (String h : List.of("stage", "left", "removed", "top tokens")) {
            header.appendChild(new Element("th").setText(h));
        }
        table.appendChild(header);
        for (ChainPreview.Snapshot s : snapshots) {
            Element tr = new Element("tr");
            tr.appendChild(new Element("td").setText(s.stage()));
            tr.appendChild(new Element("td").setText(Integer.toString(s.ids().length)));
            tr.appendChild(new Element("td").setText(Integer.toString(s.removed())));
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(TOP, s.ids().length); i++) {
                if (i > 0) {
                    top.append("  ");
                }
                top.append(TokenDisplay.label(t.piece(s.ids()[i], true), t.type(s.ids()[i]))).append(' ').append(DistributionPanel.pct(s.probs()[i]));
            }
            Element cell = new Element("td").setText(top.toString());
            cell.getStyle().set("text-align", "left");
            tr.appendChild(cell);
            tr.setAttribute("data-stage", s.stage());
            table.appendChild(tr);
        }
        getElement().appendChild(table);
    }
}
