from django.urls import path

from . import views

app_name = "faq"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topics, name="topics"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("faqs/", views.faq_list, name="faq_list"),
    path("faqs/<slug:slug>/", views.faq_detail, name="faq"),
]
