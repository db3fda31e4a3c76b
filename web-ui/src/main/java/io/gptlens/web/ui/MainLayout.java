package io.gptlens.web.ui;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;

/**
 * The frame of every page: the same header (title, theme switch) and side navigation. The theme,
 * light or dark, is the browser's choice until the switch is pressed; then it is kept in the
 * browser's local storage.
 */
public class MainLayout extends AppLayout {

    /** Applies the kept theme, or the system's, to the page. */
    private static final String APPLY_THEME = "const t = localStorage.getItem('gptlens-theme') "
            + "|| (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');"
            + "document.documentElement.setAttribute('theme', t === 'dark' ? 'dark' : '');";
    private static final String TOGGLE_THEME = "const dark = document.documentElement.getAttribute('theme') !== 'dark';"
            + "localStorage.setItem('gptlens-theme', dark ? 'dark' : 'light');"
            + "document.documentElement.setAttribute('theme', dark ? 'dark' : '');";

    public MainLayout() {
        H1 title = new H1("GPTLens");
        title.addClassName("app-title");
        Button theme = new Button("◐ Theme", e -> e.getSource().getElement().executeJs(TOGGLE_THEME));
        theme.setId("theme-toggle");
        theme.addThemeVariants(ButtonVariant.TERTIARY);
        theme.getElement().setAttribute("title", "Switch between the light and the dark theme");
        theme.addClassName("theme-toggle");
        addToNavbar(new DrawerToggle(), title, theme);
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Walk through a GPT", "walk"));
        nav.addItem(new SideNavItem("Playground", "playground"));
        nav.addItem(new SideNavItem("Models", "models"));
        nav.addItem(new SideNavItem("Explorer", "explorer"));
        nav.addItem(new SideNavItem("Patch & attribute", "patching"));
        nav.addItem(new SideNavItem("Plugins", "plugins"));
        nav.addItem(new SideNavItem("Train", "train"));
        nav.setId("nav");
        addToDrawer(nav);
    }

    @Override
    protected void onAttach(AttachEvent e) {
        e.getUI().getPage().executeJs(APPLY_THEME);
    }
}
