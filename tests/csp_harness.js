window.addEventListener('load', function () {
  setTimeout(function () {
    var $ = window.django && window.django.jQuery;
    document.querySelectorAll('.add-row a').forEach(function (a) { a.click(); });
    document.querySelectorAll('.datetimeshortcuts a').forEach(function (a) { a.click(); });
    document.querySelectorAll('.related-widget-wrapper-link').forEach(function (a) { a.getAttribute('href'); });
    if ($) {
      $('.admin-autocomplete').not('[name*="__prefix__"]').each(function () {
        try { $(this).select2('open'); } catch (e) { console.log('HARNESS select2 error ' + e); }
      });
    }
    var t = document.querySelector('#id_title, #id_question, #id_heading');
    if (t) { t.value = 'Numb toes at night'; t.dispatchEvent(new Event('keyup')); t.dispatchEvent(new Event('change')); }
    document.querySelectorAll('details summary').forEach(function (s) { s.click(); });
    var all = document.querySelector('#action-toggle'); if (all) { all.click(); }
    setTimeout(function () {
      console.log('HARNESS DONE inline-rows=' + document.querySelectorAll('.inline-related:not(.empty-form)').length +
        ' select2-open=' + document.querySelectorAll('.select2-container--open').length +
        ' select2-results=' + document.querySelectorAll('.select2-results__option').length +
        ' calendars=' + document.querySelectorAll('.calendarbox').length +
        ' slug=' + ((document.querySelector('#id_slug') || {}).value) +
        ' selected-rows=' + document.querySelectorAll('tr.selected').length);
    }, 1500);
  }, 500);
});
