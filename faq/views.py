from django.shortcuts import get_object_or_404, render

from .models import FAQ, Article


def home(request):
    articles = Article.objects.published()
    return render(request, "faq/home.html", {"articles": articles})


def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "faq/article.html", {"article": article})


def faq_list(request):
    return render(request, "faq/faq_list.html", {"faqs": FAQ.objects.published()})


def faq_detail(request, slug):
    faq = get_object_or_404(FAQ.objects.published(), slug=slug)
    return render(request, "faq/faq.html", {"faq": faq})
