package io.gptlens.web.ui;

import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;

/** The frame of every view: a title bar and a side navigation with room for the views to come. */
public class MainLayout extends AppLayout {

    public MainLayout() {
        H1 title = new H1("GPTLens");
        title.getStyle().set("font-size", "1.2em").set("margin", "0 var(--lumo-space-m)");
        addToNavbar(new DrawerToggle(), title);
        SideNav nav = new SideNav();
        nav.addItem(new SideNavItem("Playground", "/"));
        nav.addItem(new SideNavItem("Models", "/models"));
        nav.addItem(new SideNavItem("Explorer", "/explorer"));
        nav.addItem(new SideNavItem("Plugins", "/plugins"));
        nav.addItem(new SideNavItem("Train", "/train"));
        nav.setId("nav");
        addToDrawer(nav);
    }
}
