document.querySelectorAll('table.sortable th').forEach(function(th){th.addEventListener('click',function(){
var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th);
var asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){
var a=x.cells[i]?x.cells[i].textContent.trim():'',c=y.cells[i]?y.cells[i].textContent.trim():'';
var na=parseFloat(a),nc=parseFloat(c);var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);
return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});});});
