from django.urls import path

from . import seo_views, views

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topics, name="topics"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("faqs/", views.faq_list, name="faq_list"),
    path("faqs/<slug:slug>/", views.faq_detail, name="faq"),
    path("sitemap.xml", seo_views.sitemap_index, name="sitemap"),
    path("sitemap-<str:kind>-<int:page>.xml", seo_views.sitemap_page, name="sitemap_page"),
    path("robots.txt", seo_views.robots_txt, name="robots"),
]
